"""/api/v1/therapy/: sessions and their notes.

The same access functions, forms and actions as the pages, so the rules and the audit trail are the same: reading
needs a record the caller may open; changing the schedule needs care-team membership; writing and signing a note
is for the session's therapist or the primary therapist (403 for others on the team); anything else answers 404.
A signed note answers 409 to every change: corrections are amendments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from iptcare.accounts.models import User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.models import Episode
from iptcare.lib.api_errors import FormInvalid
from iptcare.therapy.access import access_session_by_id, note_of, visible_sessions
from iptcare.therapy.actions import (
    do_add_session,
    do_cancel_session,
    do_generate_sessions,
    do_mark_attended,
    do_mark_missed,
    do_reschedule_session,
    do_undo_attendance,
)
from iptcare.therapy.actions_notes import (
    do_add_incident,
    do_amend_note,
    do_cosign_note,
    do_remove_incident,
    do_save_note_draft,
    do_sign_note,
    locked_message,
)
from iptcare.therapy.forms import IncidentForm, NoteForm, note_form_values
from iptcare.therapy.models import InterpersonalIncident, NoteAmendment, SessionNote, TherapySession
from iptcare.therapy.schemas import (
    AmendmentIn,
    AmendmentOut,
    CancelIn,
    GenerateIn,
    GenerateOut,
    IncidentIn,
    IncidentOut,
    NoteIn,
    NoteListParams,
    NoteOut,
    NotePage,
    NotePatchIn,
    PageParams,
    RangeParams,
    RescheduleIn,
    SessionIn,
    SessionOut,
    SessionPage,
    SignatureIn,
)
from iptcare.therapy.selectors import episode_sessions, therapist_sessions

router = Router(tags=["therapy"])

EPISODE = "clients/{client_id}/episodes/{episode_id}/"
SESSION = EPISODE + "sessions/{session_id}"
# The longest range one call of the therapist's sessions covers.
MAX_RANGE_DAYS = 92


# ---------------------------------------------------------------------------------------------------- helpers


def _refused(error: ValidationError) -> Exception:
    """A locked note answers 409; any other refusal by a rule, 422 in the API's error shape."""
    if getattr(error, "code", None) == "locked" or any(
        getattr(e, "code", None) == "locked" for e in getattr(error, "error_list", [])
    ):
        return HttpError(409, " ".join(error.messages))
    if hasattr(error, "error_dict"):
        return FormInvalid(_api_names(error.message_dict))
    return FormInvalid({NON_FIELD_ERRORS: list(error.messages)})


def _api_names(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    names = {"problem_area": "problem_area_id", "person": "person_id", "therapist": "therapist_id"}
    return {names.get(field, field): [str(m) for m in messages] for field, messages in errors.items()}


def _validate(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise FormInvalid(_api_names({name: list(messages) for name, messages in form.errors.items()}))
    return form.cleaned_data


def _session_out(session: TherapySession) -> TherapySession:
    """The session again, numbered and with its note state, as the lists show it."""
    return episode_sessions(session.episode).select_related("episode").get(pk=session.pk)


def _note(session: TherapySession) -> SessionNote:
    note = (
        SessionNote.objects.filter(session=session)
        .prefetch_related(
            Prefetch("incidents", queryset=InterpersonalIncident.objects.select_related("person")),
            Prefetch("amendments", queryset=NoteAmendment.objects.order_by("amended_at", "pk")),
        )
        .first()
    )
    if note is None:
        raise Http404("No note yet.")
    return note


def _record_sessions_read(request: HttpRequest, episode: Episode | None, **extra: Any) -> None:
    record_event(
        EventType.SESSIONS_VIEWED,
        actor=request.user,
        client=episode.client if episode else None,
        obj=episode,
        extra=extra,
    )


def _record_note_read(request: HttpRequest, session: TherapySession, note: SessionNote) -> None:
    record_event(
        EventType.NOTE_VIEWED,
        actor=request.user,
        client=session.episode.client,
        obj=note,
        extra={"session_id": session.pk},
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise FormInvalid({"scheduled_start": ["Give the time with its UTC offset, e.g. 2026-04-01T10:00:00-04:00."]})
    return moment


# ---------------------------------------------------------------------------------------------------- sessions


@router.get(EPISODE + "sessions", response=SessionPage, summary="The episode's sessions, numbered, in time order")
def list_sessions(request: HttpRequest, client_id: int, episode_id: int, params: Query[PageParams]) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    _record_sessions_read(request, episode, kind="episode")
    sessions = episode_sessions(episode).select_related("episode")
    return {"count": sessions.count(), "items": list(sessions[params.offset : params.offset + params.limit])}


@router.post(EPISODE + "sessions", response={201: SessionOut}, summary="Schedule one session")
def add_session(request: HttpRequest, client_id: int, episode_id: int, payload: SessionIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    therapist = episode.primary_therapist
    if payload.therapist_id is not None:
        therapist = User.objects.filter(pk=payload.therapist_id, organization_id=episode.organization_id).first()
        if therapist is None:
            raise FormInvalid({"therapist_id": ["Choose a therapist or counsellor on the client's care team."]})
    try:
        session = do_add_session(
            episode,
            scheduled_start=_aware(payload.scheduled_start),
            minutes=payload.minutes or episode.session_minutes,
            therapist=therapist,
            kind=payload.kind,
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _session_out(session))


@router.post(
    EPISODE + "sessions/generate",
    response={201: GenerateOut},
    summary="Schedule the contract's sessions at one time of day; dates already taken are skipped",
)
def generate_sessions(request: HttpRequest, client_id: int, episode_id: int, payload: GenerateIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    try:
        result = do_generate_sessions(
            episode, time_of_day=payload.time_of_day, include_past=payload.include_past, acting_user=request.user
        )
    except ValidationError as error:
        raise _refused(error) from None
    created = list(episode_sessions(episode).select_related("episode").filter(pk__in=[s.pk for s in result.created]))
    skipped = [{"date": day, "reason": reason} for day, reason in result.skipped]
    return Status(201, {"created": created, "skipped": skipped})


@router.get(SESSION, response=SessionOut, summary="One session")
def read_session(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    _record_sessions_read(request, session.episode, kind="session", session_id=session.pk)
    return _session_out(session)


@router.post(SESSION + "/reschedule", response=SessionOut, summary="Move a scheduled session")
def reschedule_session(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: RescheduleIn
) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        do_reschedule_session(
            session,
            scheduled_start=_aware(payload.scheduled_start),
            minutes=payload.minutes,
            reason=payload.reason,
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return _session_out(session)


@router.post(SESSION + "/cancel", response=SessionOut, summary="Cancel a scheduled session: who cancelled, and why")
def cancel_session(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: CancelIn
) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        do_cancel_session(session, cancelled_by=payload.cancelled_by, reason=payload.reason, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _session_out(session)


@router.post(SESSION + "/attend", response=SessionOut, summary="Record a started session as attended")
def attend_session(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        do_mark_attended(session, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _session_out(session)


@router.post(
    SESSION + "/miss",
    response=SessionOut,
    summary="Record a no-show; the second in a row raises an alert for the primary therapist",
)
def miss_session(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        do_mark_missed(session, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _session_out(session)


@router.post(
    SESSION + "/undo-attendance",
    response=SessionOut,
    summary="Put an attended or missed session back to scheduled, when that record was a mistake",
    description=(
        "Refused (422) for an attended session that has a note (draft or signed), and for a missed session that is "
        'one of two in a row while their "two sessions missed in a row" alert is open: close the alert first.'
    ),
)
def undo_attendance(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> TherapySession:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        do_undo_attendance(session, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _session_out(session)


@router.get("sessions", response=SessionPage, summary="Your own sessions from one day to another")
def my_sessions(request: HttpRequest, params: Query[RangeParams]) -> dict[str, Any]:
    if params.end < params.start or (params.end - params.start).days > MAX_RANGE_DAYS:
        raise FormInvalid({"end": [f"The range runs forwards, at most {MAX_RANGE_DAYS} days."]})
    sessions = therapist_sessions(request.user, params.start, params.end)
    page = list(sessions[params.offset : params.offset + params.limit])
    _record_sessions_read(
        request,
        None,
        kind="range",
        start=params.start.isoformat(),
        client_ids=sorted({s.episode.client_id for s in page}),
    )
    return {"count": sessions.count(), "items": page}


# ---------------------------------------------------------------------------------------------------- notes


@router.get(SESSION + "/note", response=NoteOut, summary="The session's note (404 until written)")
def read_note(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> SessionNote:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    note = _note(session)
    _record_note_read(request, session, note)
    return note


def _save_draft(request: HttpRequest, session: TherapySession, data: dict[str, Any]) -> SessionNote:
    current = note_of(session)
    if current is not None and current.is_signed:
        raise HttpError(409, locked_message())
    form_data = {("problem_area" if k == "problem_area_id" else k): ("" if v is None else v) for k, v in data.items()}
    cleaned = _validate(NoteForm(data=form_data, instance=current, episode=session.episode))
    try:
        do_save_note_draft(session, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note(session)


@router.put(SESSION + "/note", response=NoteOut, summary="Save the draft (all its fields); 409 once signed")
def save_note(request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: NoteIn) -> SessionNote:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    return _save_draft(request, session, payload.dict())


@router.patch(SESSION + "/note", response=NoteOut, summary="Change part of the draft; 409 once signed")
def update_note(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: NotePatchIn
) -> SessionNote:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    current = note_of(session)
    if current is not None and current.is_signed:
        raise HttpError(409, locked_message())
    values = note_form_values(current) if current is not None else {}
    values = {("problem_area_id" if k == "problem_area" else k): v for k, v in values.items()}
    return _save_draft(request, session, values | payload.dict(exclude_unset=True))


@router.post(SESSION + "/note/incidents", response={201: IncidentOut}, summary="Add an interpersonal incident")
def add_incident(request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: IncidentIn) -> Status:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    current = note_of(session)
    if current is not None and current.is_signed:
        raise HttpError(409, locked_message())
    data = payload.dict()
    data["person"] = data.pop("person_id")
    cleaned = _validate(IncidentForm(data=data, client_id=session.episode.client_id))
    try:
        incident = do_add_incident(session, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, incident)


@router.delete(
    SESSION + "/note/incidents/{incident_id}", response={204: None}, summary="Remove an incident from the draft"
)
def remove_incident(request: HttpRequest, client_id: int, episode_id: int, session_id: int, incident_id: int) -> Status:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    incident = InterpersonalIncident.objects.filter(note__session=session, pk=incident_id).first()
    if incident is None:
        raise Http404("No incident found.")
    try:
        do_remove_incident(session, incident, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(204, None)


@router.post(SESSION + "/note/sign", response=NoteOut, summary="Sign the note with your typed full name: it locks")
def sign_note(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: SignatureIn
) -> SessionNote:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    try:
        do_sign_note(session, signature=payload.signature, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note(session)


@router.post(SESSION + "/note/cosign", response=NoteOut, summary="Co-sign a supervisee's signed note")
def cosign_note(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: SignatureIn
) -> SessionNote:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    try:
        do_cosign_note(session, signature=payload.signature, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _note(session)


@router.post(
    SESSION + "/note/amendments",
    response={201: AmendmentOut},
    summary="Amend a signed note: the amendment is kept beside the original, with its reason",
)
def amend_note(request: HttpRequest, client_id: int, episode_id: int, session_id: int, payload: AmendmentIn) -> Status:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    try:
        amendment = do_amend_note(
            session, field=payload.field, text=payload.text, reason=payload.reason, acting_user=request.user
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, amendment)


@router.get("notes", response=NotePage, summary="Notes you may read; flagged=true for those flagged for supervision")
def list_notes(request: HttpRequest, params: Query[NoteListParams]) -> dict[str, Any]:
    notes: QuerySet[SessionNote] = SessionNote.objects.filter(session__in=visible_sessions(request.user))
    if params.flagged is not None:
        notes = notes.filter(flagged_for_supervision=params.flagged)
    notes = notes.select_related("session__episode").order_by("-session__scheduled_start", "-pk")
    page = list(notes[params.offset : params.offset + params.limit])
    record_event(
        EventType.NOTE_VIEWED,
        actor=request.user,
        extra={
            "kind": "list",
            "flagged": params.flagged,
            "client_ids": sorted({n.session.episode.client_id for n in page}),
        },
    )
    return {"count": notes.count(), "items": page}

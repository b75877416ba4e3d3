"""The session note: the draft (saved by a button, or every half-minute by static/therapy/autosave.js), its
interpersonal incidents, signing, amendments and the co-signature.

The draft, its incidents and the way to signing are one form, so that no button throws away what was typed: each
saves the draft first (see _post_note).

Everyone who may open the record reads the note; the session's therapist or the episode's primary therapist writes
and signs it; a supervisor of the therapist who signed co-signs it.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import ProblemAreaKind
from iptcare.ipt.phases import PHASE_LABELS, phase_of_session
from iptcare.therapy.access import access_session_by_id, may_cosign, may_write_note, note_of
from iptcare.therapy.actions_notes import (
    do_add_incident,
    do_amend_note,
    do_cosign_note,
    do_remove_incident,
    do_save_note_draft,
    do_sign_note,
    locked_message,
)
from iptcare.therapy.forms import AmendForm, CosignForm, IncidentForm, NoteForm, SignForm
from iptcare.therapy.models import InterpersonalIncident, SessionNote, SessionStatus, TherapySession
from iptcare.therapy.prefill import prefill_for
from iptcare.therapy.selectors import OFFERED_INSTRUMENTS, amendments_by_field, measures_on_day
from iptcare.therapy.views import add_errors, can_write, posted


def redirect_to_note(session: TherapySession) -> HttpResponse:
    episode = session.episode
    return redirect("session_note", client_id=episode.client_id, episode_id=episode.pk, session_id=session.pk)


def number_of(session: TherapySession) -> int | None:
    return TherapySession.objects.filter(pk=session.pk).with_numbers().values_list("number", flat=True).first()


def _record_view(request: HttpRequest, session: TherapySession, note: SessionNote | None, kind: str) -> None:
    record_event(
        EventType.NOTE_VIEWED,
        actor=request.user,
        client=session.episode.client,
        obj=note or session,
        extra={"kind": kind, "session_id": session.pk},
    )


def _is_draft_writable(request: HttpRequest, session: TherapySession, note: SessionNote | None) -> bool:
    return (
        session.status == SessionStatus.ATTENDED
        and not (note is not None and note.is_signed)
        and may_write_note(request.user, session)
    )


# ---------------------------------------------------------------------------------------------------- the note


@require_staff
def session_note(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    note = note_of(session)
    writable = _is_draft_writable(request, session, note)
    if request.method == "POST":
        if note is not None and note.is_signed:
            messages.error(request, locked_message())
            return redirect_to_note(session)
        if not writable:
            raise PermissionDenied(_("Only the session's therapist or the primary therapist writes this note."))
        return _post_note(request, session, note)
    _record_view(request, session, note, "note")
    return render(request, "therapy/note.html", _note_context(request, session, note, writable=writable))


def _post_note(request: HttpRequest, session: TherapySession, note: SessionNote | None) -> HttpResponse:
    """The note page is one form, so that nothing typed is lost whichever button is pressed, with or without
    JavaScript. Every button saves the draft first, and adds an incident typed in its fields; then:

    - "Save draft" (the default button, also Enter in a field) and "Add the incident" (name="add_incident") stop there;
    - "Remove" (name="remove_incident", value: the incident's id) removes that incident;
    - "Sign the note" (name="sign") opens the signing page.

    When the draft cannot be saved, nothing is: the page comes back with everything as typed and the problems marked.
    When the draft is saved but the incident cannot be added, the page comes back with the incident as typed.
    """
    form = NoteForm(request.POST, instance=copy.copy(note), episode=session.episode)
    incident_form = IncidentForm(request.POST, client_id=session.episode.client_id, prefix=INCIDENT_PREFIX)
    adding = "add_incident" in request.POST or _incident_typed(incident_form)
    removing = request.POST.get("remove_incident", "")
    if not form.is_valid():
        return _render_again(request, session, note, form, incident_form)
    try:
        saved = do_save_note_draft(session, form.cleaned_data, acting_user=request.user)
    except ValidationError as error:
        add_errors(form, error)
        return _render_again(request, session, note, form, incident_form)
    done = []
    if removing:
        done.append(_remove_incident(request, session, removing))
    if adding:
        if not _add_incident(request, session, incident_form):
            done.append(_("The incident is not added yet: complete it below, then press Add the incident."))
            messages.warning(request, _told(saved, done))
            context = _note_context(request, session, note_of(session), writable=True, incident_form=incident_form)
            return render(request, "therapy/note.html", context)
        done.append(_("Incident added to the note."))
    messages.success(request, _told(saved, done))
    if "sign" in request.POST:
        episode = session.episode
        return redirect("session_note_sign", client_id=episode.client_id, episode_id=episode.pk, session_id=session.pk)
    return redirect_to_note(session)


INCIDENT_PREFIX = "incident"


def _told(saved: SessionNote, done: list[str]) -> str:
    """ "Draft saved 14:02", then what else the button did."""
    return ". ".join([draft_saved_message(saved), " ".join(done)]) if done else draft_saved_message(saved)


def _incident_form(client_id: int, posted: IncidentForm | None) -> IncidentForm:
    """The incident's part of the note's form: as posted (with its problems), or empty."""
    return posted if posted is not None else IncidentForm(client_id=client_id, prefix=INCIDENT_PREFIX)


def _incident_typed(incident_form: IncidentForm) -> bool:
    """Whether anything was typed or chosen in the incident's fields."""
    return any(str(incident_form[name].value() or "").strip() for name in incident_form.fields)


def _add_incident(request: HttpRequest, session: TherapySession, incident_form: IncidentForm) -> bool:
    """Adds the incident; False (with the problems on the form) when it is not."""
    if not incident_form.is_valid():
        return False
    try:
        do_add_incident(session, incident_form.cleaned_data, acting_user=request.user)
    except ValidationError as error:
        add_errors(incident_form, error)
        return False
    return True


def _remove_incident(request: HttpRequest, session: TherapySession, incident_id: str) -> str:
    incident = InterpersonalIncident.objects.filter(note__session=session, pk=_int_or_none(incident_id)).first()
    if incident is None:
        return _("That incident is not part of this note.")
    try:
        do_remove_incident(session, incident, acting_user=request.user)
    except ValidationError as error:
        return " ".join(error.messages)
    return _("Incident removed from the draft.")


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _render_again(
    request: HttpRequest, session: TherapySession, note: SessionNote | None, form: NoteForm, incident_form: IncidentForm
) -> HttpResponse:
    """The page as posted, with the draft's problems marked: nothing was saved, and nothing typed is lost."""
    messages.error(request, _("Nothing was saved yet: the note needs attention first (marked below)."))
    context = _note_context(request, session, note, writable=True, form=form, incident_form=incident_form)
    return render(request, "therapy/note.html", context)


def draft_saved_message(note: SessionNote) -> str:
    return _("Draft saved %(time)s") % {"time": timezone.localtime(note.updated_at).strftime("%H:%M")}


def _note_context(
    request: HttpRequest,
    session: TherapySession,
    note: SessionNote | None,
    *,
    writable: bool,
    form: Any = None,
    incident_form: Any = None,
) -> dict[str, Any]:
    episode = session.episode
    prefill = prefill_for(session) if writable else None
    if writable and form is None:
        form = NoteForm(instance=copy.copy(note), episode=episode, initial=prefill.initial() if note is None else None)
    incidents = list(note.incidents.select_related("person")) if note is not None else []
    client_writable = can_write(request, episode.client)
    number = number_of(session)
    return {
        "guidance": guidance_for(episode),
        "session_phase": PHASE_LABELS[phase_of_session(episode.format, number, episode.planned_sessions)]
        if number
        else "",
        "may_record_termination": client_writable and episode.is_open,
        "termination_date": timezone.localtime(session.scheduled_start).date(),
        "client": episode.client,
        "episode": episode,
        "session": session,
        "number": number,
        "note": note,
        "form": form,
        "writable": writable,
        "prefill": prefill,
        "incidents": incidents,
        "incident_form": _incident_form(episode.client_id, incident_form) if writable else None,
        "amendments": amendments_by_field(note),
        "may_amend": bool(note and note.is_signed and may_write_note(request.user, session)),
        "may_cosign": may_cosign(request.user, note),
        "cosign_form": CosignForm(),
        "measures": measures_on_day(session),
        "offered_instruments": OFFERED_INSTRUMENTS if client_writable else (),
        "may_schedule": client_writable,
        "now": timezone.now(),
    }


@require_staff
@require_POST
def session_note_autosave(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> JsonResponse:
    """The draft, saved by autosave.js: JSON in the API's error shape, so the page can say what happened."""
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    note = note_of(session)
    form = NoteForm(request.POST, instance=copy.copy(note), episode=session.episode)
    if not form.is_valid():
        errors = {name: [str(m) for m in problems] for name, problems in form.errors.items()}
        labels = [str(form.fields[name].label) for name in errors if name in form.fields]
        detail = _("Draft not saved: check %(fields)s.") % {"fields": ", ".join(labels) or _("the form")}
        return JsonResponse({"detail": detail, "errors": errors}, status=422)
    try:
        saved = do_save_note_draft(session, form.cleaned_data, acting_user=request.user)
    except PermissionDenied as denied:
        return JsonResponse({"detail": str(denied)}, status=403)
    except ValidationError as error:
        status = 409 if getattr(error, "code", None) == "locked" else 422
        return JsonResponse({"detail": " ".join(error.messages)}, status=status)
    return JsonResponse({"detail": draft_saved_message(saved), "saved_at": saved.updated_at.isoformat()})


# ---------------------------------------------------------------------------------------------------- incidents
# The note's page adds and removes incidents through its own form (_post_note). These two addresses stay for pages
# loaded before that, and for anything else that posts an incident alone.


@require_staff
@require_POST
def incident_add(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    form = IncidentForm(request.POST, client_id=session.episode.client_id)
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, _("The incident was not added. ") + " ".join(problems))
        return redirect_to_note(session)
    try:
        do_add_incident(session, form.cleaned_data, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Incident added to the note."))
    return redirect_to_note(session)


@require_staff
@require_POST
def incident_remove(
    request: HttpRequest, client_id: int, episode_id: int, session_id: int, incident_id: int
) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    incident = InterpersonalIncident.objects.filter(note__session=session, pk=incident_id).first()
    if incident is None:
        messages.error(request, _("That incident is not part of this note."))
        return redirect_to_note(session)
    try:
        do_remove_incident(session, incident, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Incident removed from the draft."))
    return redirect_to_note(session)


# ---------------------------------------------------------------------------------------------------- signatures


@require_staff
def session_note_sign(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    note = note_of(session)
    if note is None:
        messages.error(request, _("Write the note before signing it."))
        return redirect_to_note(session)
    if note.is_signed:
        messages.info(request, locked_message())
        return redirect_to_note(session)
    if not may_write_note(request.user, session):
        raise PermissionDenied(_("Only the session's therapist or the primary therapist signs this note."))
    form = SignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_sign_note(session, signature=form.cleaned_data["signature"], acting_user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The note is signed and locked."))
            return redirect_to_note(session)
    _record_view(request, session, note, "sign")
    context = {
        "client": session.episode.client,
        "episode": session.episode,
        "session": session,
        "number": number_of(session),
        "note": note,
        "incidents": list(note.incidents.select_related("person")),
        "form": form,
        "stage_move": stage_move(note),
    }
    return render(request, "therapy/note_sign.html", context)


def stage_move(note: SessionNote) -> dict[str, str] | None:
    """The role dispute's stage in the formulation now and in the note, when signing will move it."""
    area = note.problem_area
    if area is None or area.kind != ProblemAreaKind.ROLE_DISPUTE or not note.dispute_stage:
        return None
    if note.dispute_stage == area.dispute_stage:
        return None
    return {"now": area.get_dispute_stage_display(), "to": note.get_dispute_stage_display()}


@require_staff
@require_POST
def session_note_cosign(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    form = CosignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type your full name to co-sign."))
        return redirect_to_note(session)
    try:
        do_cosign_note(session, signature=form.cleaned_data["signature"], acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Co-signed. The note stays locked."))
    return redirect_to_note(session)


@require_staff
def session_note_amend(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id)
    note = note_of(session)
    if note is None or not note.is_signed:
        messages.info(request, _("A draft is changed directly; amendments are for signed notes."))
        return redirect_to_note(session)
    if not may_write_note(request.user, session):
        raise PermissionDenied(_("Only the session's therapist or the primary therapist amends this note."))
    form = AmendForm(posted(request), initial={"field": request.GET.get("field")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_amend_note(
                session, field=data["field"], text=data["text"], reason=data["reason"], acting_user=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Amendment added. The original stays as signed."))
            return redirect_to_note(session)
    _record_view(request, session, note, "amend")
    context = {"client": session.episode.client, "episode": session.episode, "session": session, "form": form}
    return render(request, "therapy/note_amend.html", context)

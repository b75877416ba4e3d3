"""The session note: the draft (saved by a button, or every half-minute by static/therapy/autosave.js), its
interpersonal incidents, signing, amendments and the co-signature.

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
    form = None
    if request.method == "POST":
        if note is not None and note.is_signed:
            messages.error(request, locked_message())
            return redirect_to_note(session)
        if not writable:
            raise PermissionDenied(_("Only the session's therapist or the primary therapist writes this note."))
        form = NoteForm(request.POST, instance=copy.copy(note), episode=session.episode)
        if form.is_valid():
            try:
                saved = do_save_note_draft(session, form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, draft_saved_message(saved))
                return redirect_to_note(session)
    _record_view(request, session, note, "note")
    return render(request, "therapy/note.html", _note_context(request, session, note, writable=writable, form=form))


def draft_saved_message(note: SessionNote) -> str:
    return _("Draft saved %(time)s") % {"time": timezone.localtime(note.updated_at).strftime("%H:%M")}


def _note_context(
    request: HttpRequest, session: TherapySession, note: SessionNote | None, *, writable: bool, form: Any = None
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
        "incident_form": IncidentForm(client_id=episode.client_id) if writable else None,
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
    }
    return render(request, "therapy/note_sign.html", context)


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

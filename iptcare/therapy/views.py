"""The sessions of one episode: the list with its actions, adding, generating from the contract, rescheduling,
cancelling (after a confirmation), recording attendance in one click, and undoing it (after a confirmation) when it
was recorded by mistake. Everyone who may open the record reads the list; the care team changes it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.models import Contract, Episode
from iptcare.measures.models import Alert, AlertRule
from iptcare.therapy.access import access_session_by_id
from iptcare.therapy.actions import (
    contract_dates,
    do_add_session,
    do_cancel_session,
    do_generate_sessions,
    do_mark_attended,
    do_mark_missed,
    do_reschedule_session,
    do_undo_attendance,
    undo_refusal,
)
from iptcare.therapy.forms import CancelForm, GenerateForm, RescheduleForm, SessionForm
from iptcare.therapy.models import GROUP_SESSION, SessionKind, SessionStatus, TherapySession
from iptcare.therapy.selectors import episode_sessions, note_state


def can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


def posted(request: HttpRequest) -> Any:
    """The submitted data on a POST, even an empty one (which `request.POST or None` would take for a GET)."""
    return request.POST if request.method == "POST" else None


def add_errors(form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """An action's refusal, shown next to the field it names (or at the top of the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, problems in error.message_dict.items():
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, problems)


def redirect_to_list(episode: Episode) -> HttpResponse:
    return redirect("session_list", client_id=episode.client_id, episode_id=episode.pk)


def safe_next(request: HttpRequest) -> str:
    """The page an action came from (the day view, say), when it is one of ours; else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def redirect_back(request: HttpRequest, episode: Episode) -> HttpResponse:
    target = safe_next(request)
    return redirect(target) if target else redirect_to_list(episode)


def _record_view(request: HttpRequest, episode: Episode, kind: str) -> None:
    record_event(
        EventType.SESSIONS_VIEWED, actor=request.user, client=episode.client, obj=episode, extra={"kind": kind}
    )


@require_staff
def session_list(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    _record_view(request, episode, "episode")
    sessions = list(episode_sessions(episode))
    for session in sessions:
        session.episode = episode
        session.note_state = note_state(getattr(session, "note", None))
    contract = Contract.objects.filter(episode=episode).first()
    context = {
        "client": episode.client,
        "episode": episode,
        "sessions": sessions,
        "has_contract": contract is not None,
        "generate": generate_offer(contract, sessions),
        "can_write": can_write(request, episode.client),
        "now": timezone.now(),
    }
    return render(request, "therapy/session_list.html", context)


def generate_offer(contract: Contract | None, sessions: list[TherapySession]) -> str:
    """How the list offers "Schedule the contract's sessions": "primary" while no IPT session is booked yet,
    "secondary" while the contract has sessions left to book, "" once they are all booked or held (or without a
    contract). Counted as do_generate_sessions counts: cancelled and missed sessions leave room for another."""
    if contract is None:
        return ""
    booked = sum(
        1
        for s in sessions
        if s.kind == SessionKind.SESSION and s.status not in (SessionStatus.CANCELLED, SessionStatus.MISSED)
    )
    if booked == 0:
        return "primary"
    return "secondary" if booked < contract.sessions else ""


@require_staff
def session_add(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = SessionForm(posted(request), episode=episode, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_add_session(
                episode,
                scheduled_start=form.start(),
                minutes=data["minutes"],
                therapist=data["therapist"],
                kind=data["kind"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error, {"scheduled_start": "time"})
        else:
            messages.success(request, _("The session is scheduled."))
            return redirect_to_list(episode)
    _record_view(request, episode, "add")
    return render(request, "therapy/session_form.html", {"client": episode.client, "episode": episode, "form": form})


@require_staff
def sessions_generate(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    contract = Contract.objects.filter(episode=episode).first()
    if contract is None:
        messages.error(request, _("Write the treatment contract first: the sessions are scheduled from it."))
        return redirect_to_list(episode)
    form = GenerateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = do_generate_sessions(
                episode,
                time_of_day=form.cleaned_data["time_of_day"],
                include_past=form.cleaned_data["include_past"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            _tell_generated(request, result)
            return redirect_to_list(episode)
    _record_view(request, episode, "generate")
    context = {
        "client": episode.client,
        "episode": episode,
        "contract": contract,
        "dates": contract_dates(contract),
        "form": form,
    }
    return render(request, "therapy/sessions_generate.html", context)


def _tell_generated(request: HttpRequest, result: Any) -> None:
    created = len(result.created)
    messages.success(
        request,
        ngettext("%(count)d session scheduled.", "%(count)d sessions scheduled.", created) % {"count": created},
    )
    if result.skipped:
        skipped = "; ".join(f"{day:%Y-%m-%d} ({reason})" for day, reason in result.skipped)
        messages.info(request, _("Left out: %(dates)s.") % {"dates": skipped})


@require_staff
def session_reschedule(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    episode = session.episode
    if not session.is_scheduled:
        messages.error(request, _("Only a scheduled session is rescheduled."))
        return redirect_to_list(episode)
    local = timezone.localtime(session.scheduled_start)
    initial = {"date": local.date(), "time": local.time(), "minutes": session.minutes}
    form = RescheduleForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_reschedule_session(
                session,
                scheduled_start=form.start(),
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error, {"scheduled_start": "time"})
        else:
            messages.success(request, _("The session is moved."))
            return redirect_to_list(episode)
    _record_view(request, episode, "reschedule")
    context = {"client": episode.client, "episode": episode, "session": session, "form": form}
    return render(request, "therapy/session_reschedule.html", context)


@require_staff
def session_cancel(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    """A confirmation page: who cancelled and why, then the cancellation."""
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    episode = session.episode
    if not session.is_scheduled:
        messages.error(request, _("Only a scheduled session is cancelled."))
        return redirect_to_list(episode)
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_cancel_session(
                session,
                cancelled_by=form.cleaned_data["cancelled_by"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The session is cancelled."))
            return redirect_back(request, episode)
    _record_view(request, episode, "cancel")
    context = {
        "client": episode.client,
        "episode": episode,
        "session": session,
        "form": form,
        "next": safe_next(request),
    }
    return render(request, "therapy/session_cancel.html", context)


@require_staff
@require_POST
def session_attended(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    """One click, as attending is the common case; the message offers the undo (see session_undo_attendance)."""
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        session = do_mark_attended(session, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        told = _("Recorded as attended. The note can now be written.")
        messages.success(request, _with_undo(request, session, told, _("Undo: not attended")))
    return redirect_back(request, session.episode)


@require_staff
@require_POST
def session_missed(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    try:
        session = do_mark_missed(session, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if session.kind != GROUP_SESSION and undo_refusal(session):
            # Two missed in a row: the alert is what matters now, and the undo waits for it to be closed.
            told = _("Recorded as missed. Two sessions are missed in a row: the primary therapist has an alert.")
            messages.warning(request, told)
        else:
            messages.success(request, _with_undo(request, session, _("Recorded as missed."), _("Undo: not missed")))
    return redirect_back(request, session.episode)


def undo_url(session: TherapySession, back_to: str = "") -> str:
    url = reverse(
        "session_undo_attendance",
        kwargs={"client_id": session.episode.client_id, "episode_id": session.episode_id, "session_id": session.pk},
    )
    return f"{url}?{urlencode({'next': back_to})}" if back_to else url


def _with_undo(request: HttpRequest, session: TherapySession, told: str, undo: str) -> str:
    """The message, with a link to undo what it says (the link opens a confirmation: undoing is a POST). Group
    attendance is undone on the group's pages."""
    if session.kind == GROUP_SESSION:
        return told
    when = timezone.localtime(session.scheduled_start).strftime("%Y-%m-%d %H:%M")
    return format_html(
        '{} <a href="{}">{}<span class="visually-hidden"> {}</span></a>',
        told,
        undo_url(session, safe_next(request)),
        undo,
        when,
    )


@require_staff
def session_undo_attendance(request: HttpRequest, client_id: int, episode_id: int, session_id: int) -> HttpResponse:
    """A confirmation page, then the attended or missed record put back to scheduled, when it was a mistake and
    nothing rests on it yet (actions.undo_refusal says what blocks it)."""
    session = access_session_by_id(request.user, client_id, episode_id, session_id, write=True)
    episode = session.episode
    if request.method == "POST":
        try:
            do_undo_attendance(session, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Undone: the session is scheduled again. Record it, move it or cancel it."))
        return redirect_back(request, episode)
    _record_view(request, episode, "undo_attendance")
    refusal = undo_refusal(session)
    blocking_alert = None
    if refusal and session.status == SessionStatus.MISSED:
        open_alerts = Alert.objects.open().filter(client_id=client_id, rule=AlertRule.MISSED_SESSIONS)
        blocking_alert = open_alerts.order_by("-raised_at", "-pk").first()
    context = {
        "client": episode.client,
        "episode": episode,
        "session": session,
        "refusal": refusal,
        "blocking_alert": blocking_alert,
        "next": safe_next(request),
        "note_url": reverse(
            "session_note", kwargs={"client_id": client_id, "episode_id": episode_id, "session_id": session.pk}
        ),
    }
    return render(request, "therapy/session_undo_attendance.html", context)

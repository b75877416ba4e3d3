"""The group's sessions: generating the eight, moving or cancelling one (after a confirmation), the attendance of
each (one form for all members), and its group note with a short note and measures per member."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.groups.access import (
    access_group_by_id,
    access_group_session_by_id,
    access_member_by_id,
    check_may_run_group,
    is_facilitator,
    shown_client_ids,
    writable_client_ids,
)
from iptcare.groups.actions import (
    GROUP_SESSIONS,
    do_cancel_group_session,
    do_generate_group_sessions,
    do_record_attendance,
    do_reschedule_group_session,
    locked_message,
)
from iptcare.groups.actions_notes import do_save_group_note_draft, do_save_member_note, do_sign_group_note
from iptcare.groups.events import record_group_view
from iptcare.groups.forms import AttendanceForm, CancelForm, GroupNoteForm, MemberNoteForm, SignForm
from iptcare.groups.models import AttendanceStatus, GroupMember, GroupNote, GroupSession, GroupSessionStatus
from iptcare.groups.selectors import (
    MEMBER_INSTRUMENT,
    attendance_of,
    group_sessions,
    measures_on_day,
    member_notes_of,
    numbered_session,
    present_members,
)
from iptcare.therapy.forms import RescheduleForm
from iptcare.therapy.views import add_errors, posted


def redirect_to_group(session: GroupSession) -> HttpResponse:
    return redirect("group_detail", group_id=session.group_id)


def redirect_to_attendance(session: GroupSession) -> HttpResponse:
    return redirect("group_session_attendance", group_id=session.group_id, session_id=session.pk)


def redirect_to_note(session: GroupSession, anchor: str = "") -> HttpResponse:
    response = redirect("group_note", group_id=session.group_id, session_id=session.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def note_of(session: GroupSession) -> GroupNote | None:
    return getattr(session, "note", None)


# ---------------------------------------------------------------------------------------------------- scheduling


@require_staff
def sessions_generate(request: HttpRequest, group_id: int) -> HttpResponse:
    """A preview of the weekly dates, then the sessions."""
    group = access_group_by_id(request.user, group_id, write=True)
    if request.method == "POST":
        try:
            result = do_generate_group_sessions(group, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            created = len(result.created)
            messages.success(
                request,
                ngettext("%(count)d session scheduled.", "%(count)d sessions scheduled.", created) % {"count": created},
            )
            if result.skipped:
                skipped = "; ".join(f"{day:%Y-%m-%d} ({reason})" for day, reason in result.skipped)
                messages.info(request, _("Left out: %(dates)s.") % {"dates": skipped})
        return redirect("group_detail", group_id=group.pk)
    record_group_view(request.user, group, [], kind="generate")
    sessions = group_sessions(group)
    context = {
        "group": group,
        "existing": [s for s in sessions if s.number],
        "to_schedule": max(GROUP_SESSIONS - sum(1 for s in sessions if s.number), 0),
        "total": GROUP_SESSIONS,
    }
    return render(request, "groups/sessions_generate.html", context)


@require_staff
def session_reschedule(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    if not session.is_scheduled:
        messages.error(request, _("Only a scheduled session is moved."))
        return redirect_to_group(session)
    local = timezone.localtime(session.scheduled_start)
    form = RescheduleForm(
        posted(request), initial={"date": local.date(), "time": local.time(), "minutes": session.minutes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_reschedule_group_session(
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
            return redirect_to_group(session)
    record_group_view(request.user, session.group, [], kind="reschedule", group_session_id=session.pk)
    context = {"group": session.group, "session": numbered_session(session), "form": form}
    return render(request, "groups/session_reschedule.html", context)


@require_staff
def session_cancel(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    """A confirmation page: who cancelled and why, then the cancellation."""
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    if not session.is_scheduled:
        messages.error(request, _("Only a scheduled session is cancelled."))
        return redirect_to_group(session)
    form = CancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_cancel_group_session(
                session,
                cancelled_by=form.cleaned_data["cancelled_by"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The session is cancelled. Schedule the sessions again to replace it."))
            return redirect_to_group(session)
    record_group_view(request.user, session.group, [], kind="cancel", group_session_id=session.pk)
    context = {"group": session.group, "session": numbered_session(session), "form": form}
    return render(request, "groups/session_cancel.html", context)


# ---------------------------------------------------------------------------------------------------- attendance


@require_staff
def session_attendance(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    """Everyone who may open the group reads the attendance of the members they may see; facilitators record it
    for all members in one form."""
    session = access_group_session_by_id(request.user, group_id, session_id)
    group = session.group
    runs_group = is_facilitator(request.user, group)
    members = list(present_members(session))
    recorded = attendance_of(session)
    note = note_of(session)
    recordable = runs_group and _attendance_recordable(session, note)
    form = None
    if recordable:
        initial = {AttendanceForm.field_name(m): recorded[m.pk].status for m in members if m.pk in recorded}
        form = AttendanceForm(posted(request), members=members, initial=initial)
    if request.method == "POST":
        check_may_run_group(request.user, group)
        if form is None:
            messages.error(request, _attendance_refusal(session, note))
            return redirect_to_attendance(session)
        if form.is_valid():
            try:
                do_record_attendance(session, form.statuses(), acting_user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Attendance recorded. It is in each member's episode too."))
                return redirect_to_attendance(session)
    shown = shown_client_ids(request.user, group, [m.client_id for m in members])
    visible = [m for m in members if m.client_id in shown]
    for member in visible:
        member.recorded = recorded.get(member.pk)
    record_group_view(request.user, group, shown, kind="attendance", group_session_id=session.pk)
    context = {
        "group": group,
        "session": numbered_session(session),
        "note": note,
        "form": form,
        "members": visible,
        "hidden_count": len(members) - len(visible),
        "runs_group": runs_group,
        "refusal": "" if recordable or not runs_group else _attendance_refusal(session, note),
    }
    return render(request, "groups/session_attendance.html", context)


def _attendance_recordable(session: GroupSession, note: GroupNote | None) -> bool:
    return not _attendance_refusal(session, note)


def _attendance_refusal(session: GroupSession, note: GroupNote | None) -> str:
    """Why attendance cannot be recorded now, or ""."""
    if session.status == GroupSessionStatus.CANCELLED:
        return _("The session was cancelled: there is no attendance to record.")
    if not session.has_started:
        return _("Attendance is recorded once the session has started.")
    if note is not None and note.is_signed:
        return locked_message()
    return ""


# ---------------------------------------------------------------------------------------------------- notes


@require_staff
def group_note(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    session = access_group_session_by_id(request.user, group_id, session_id)
    note = note_of(session)
    writable = _is_draft_writable(request, session, note)
    form = None
    if request.method == "POST":
        if note is not None and note.is_signed:
            messages.error(request, locked_message())
            return redirect_to_note(session)
        check_may_run_group(request.user, session.group)
        if not writable:
            messages.error(request, _("A note is written for a held session: record its attendance first."))
            return redirect_to_note(session)
        form = GroupNoteForm(request.POST, instance=copy.copy(note))
        if form.is_valid():
            try:
                do_save_group_note_draft(session, form.cleaned_data, acting_user=request.user)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect_to_note(session)
    if writable and form is None:
        form = GroupNoteForm(instance=copy.copy(note))
    return render(request, "groups/note.html", _note_context(request, session, note, form=form, writable=writable))


def _is_draft_writable(request: HttpRequest, session: GroupSession, note: GroupNote | None) -> bool:
    return (
        session.status == GroupSessionStatus.HELD
        and not (note is not None and note.is_signed)
        and is_facilitator(request.user, session.group)
    )


def _note_context(
    request: HttpRequest, session: GroupSession, note: GroupNote | None, *, form: Any, writable: bool
) -> dict[str, Any]:
    group = session.group
    attended = _attended_members(session)
    shown = shown_client_ids(request.user, group, [m.client_id for m in attended])
    visible = [m for m in attended if m.client_id in shown]
    notes = member_notes_of(note)
    measures = measures_on_day(session, [m.client_id for m in visible])
    may_give = writable_client_ids(request.user, [m.client_id for m in visible])
    for member in visible:
        member.note = notes.get(member.pk)
        member.measures = measures.get(member.client_id, [])
        member.may_give = member.client_id in may_give
        if writable:
            member.form = MemberNoteForm(instance=copy.copy(member.note), prefix=f"m{member.pk}")
    record_group_view(request.user, group, shown, kind="note", group_session_id=session.pk)
    return {
        "group": group,
        "session": numbered_session(session),
        "note": note,
        "form": form,
        "writable": writable,
        "members": visible,
        "hidden_count": len(attended) - len(visible),
        "instrument": MEMBER_INSTRUMENT,
        "runs_group": is_facilitator(request.user, group),
    }


def _attended_members(session: GroupSession) -> list[GroupMember]:
    attended = {a.member_id for a in attendance_of(session).values() if a.status == AttendanceStatus.ATTENDED}
    return [m for m in present_members(session) if m.pk in attended]


@require_staff
@require_POST
def member_note(request: HttpRequest, group_id: int, session_id: int, member_id: int) -> HttpResponse:
    session = access_group_session_by_id(request.user, group_id, session_id, write=True)
    member = access_member_by_id(request.user, group_id, member_id, write=True)
    note = note_of(session)
    current = note.member_notes.filter(member=member).first() if note is not None else None
    form = MemberNoteForm(request.POST, instance=copy.copy(current), prefix=f"m{member.pk}")
    if not form.is_valid():
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, _("The member note was not saved. ") + " ".join(problems))
        return redirect_to_note(session, f"member-{member.pk}")
    try:
        do_save_member_note(session, member, form.cleaned_data, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Note saved for %(name)s.") % {"name": member.client.display_name})
    return redirect_to_note(session, f"member-{member.pk}")


@require_staff
def group_note_sign(request: HttpRequest, group_id: int, session_id: int) -> HttpResponse:
    session = access_group_session_by_id(request.user, group_id, session_id)
    note = note_of(session)
    if note is None:
        messages.error(request, _("Write the group note before signing it."))
        return redirect_to_note(session)
    if note.is_signed:
        messages.info(request, locked_message())
        return redirect_to_note(session)
    if not is_facilitator(request.user, session.group):
        raise PermissionDenied(_("Only the group's facilitators sign its notes."))
    form = SignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            do_sign_group_note(session, signature=form.cleaned_data["signature"], acting_user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The group note is signed and locked."))
            return redirect_to_note(session)
    record_group_view(request.user, session.group, [], kind="sign", group_session_id=session.pk)
    context = {"group": session.group, "session": numbered_session(session), "note": note, "form": form}
    return render(request, "groups/note_sign.html", context)

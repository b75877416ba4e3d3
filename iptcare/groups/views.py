"""Group pages: the list, creating and editing a group, its page with members and sessions, and the members'
pages (adding, problem area and goal, the pre-group meeting, leaving after a confirmation).

Who sees what is decided in access.py; every read is audited (events.py), every change by the actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.clients.access import access_client_by_id
from iptcare.groups.access import (
    access_group_by_id,
    access_member_by_id,
    can_create_groups,
    check_may_edit_group,
    is_facilitator,
    may_edit_group,
    shown_client_ids,
    writable_client_ids,
)
from iptcare.groups.actions import (
    do_add_member,
    do_create_group,
    do_leave_group,
    do_update_group,
    do_update_member,
)
from iptcare.groups.events import record_group_view, record_groups_listed
from iptcare.groups.forms import GroupForm, LeaveForm, MemberAddForm, MemberForm, PregroupForm
from iptcare.groups.models import GROUP_SESSIONS, RECOMMENDED_SIZE, GroupMember, TherapyGroup
from iptcare.groups.selectors import (
    capacity_warning,
    group_members,
    group_sessions,
    pregroup_meetings,
    size_warning,
)
from iptcare.therapy.actions import do_add_session, do_mark_attended
from iptcare.therapy.models import SessionKind, SessionStatus, TherapySession
from iptcare.therapy.views import add_errors, posted


def redirect_to_group(group: TherapyGroup) -> HttpResponse:
    return redirect("group_detail", group_id=group.pk)


def tell_capacity(request: HttpRequest, group: TherapyGroup) -> None:
    """Warn, without refusing, when the capacity is outside WHO's suggested size."""
    warning = capacity_warning(group.capacity)
    if warning:
        messages.warning(request, warning)


def tell_too_many(request: HttpRequest, group: TherapyGroup) -> None:
    """Warn, without refusing, when a new member takes the group past WHO's suggested size."""
    current = GroupMember.objects.filter(group=group).current().count()
    if current > RECOMMENDED_SIZE[1]:
        messages.warning(request, size_warning(current))


# ---------------------------------------------------------------------------------------------------- groups


@require_staff
def group_list(request: HttpRequest) -> HttpResponse:
    openable = set(TherapyGroup.objects.openable_by(request.user).values_list("pk", flat=True))
    groups = list(
        TherapyGroup.objects.visible_to(request.user)
        .select_related("site", "facilitator", "co_facilitator")
        .with_member_count()
    )
    for group in groups:
        group.can_open = group.pk in openable
    record_groups_listed(request.user, [g.pk for g in groups])
    context = {"groups": groups, "can_create": can_create_groups(request.user)}
    return render(request, "groups/group_list.html", context)


@require_staff
def group_create(request: HttpRequest) -> HttpResponse:
    if not can_create_groups(request.user):
        raise PermissionDenied(_("Therapists, counsellors and supervisors create groups."))
    form = GroupForm(posted(request), organization_id=request.user.organization_id, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = do_create_group(request.user.organization_id, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The group is created. Add its members, then schedule its sessions."))
            tell_capacity(request, group)
            return redirect_to_group(group)
    return render(request, "groups/group_form.html", {"form": form, "group": None})


@require_staff
def group_edit(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group_by_id(request.user, group_id)
    check_may_edit_group(request.user, group)
    form = GroupForm(posted(request), instance=group, organization_id=group.organization_id, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_group(group, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The group is saved."))
            tell_capacity(request, group)
            if not TherapyGroup.objects.openable_by(request.user).filter(pk=group.pk).exists():
                # Handing the group over to colleagues one does not supervise closes it to oneself.
                return redirect("group_list")
            return redirect_to_group(group)
    record_group_view(request.user, group, [], kind="edit")
    return render(request, "groups/group_form.html", {"form": form, "group": group})


@require_staff
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group_by_id(request.user, group_id)
    members = group_members(group)
    shown = shown_client_ids(request.user, group, [m.client_id for m in members])
    meetings = pregroup_meetings([m for m in members if m.client_id in shown])
    for member in members:
        member.shown = member.client_id in shown
        member.pregroup = meetings.get(member.episode_id)
    current = [m for m in members if not m.has_left]
    sessions = group_sessions(group)
    runs_group = is_facilitator(request.user, group)
    record_group_view(request.user, group, shown, kind="group")
    context = {
        "group": group,
        "members": [m for m in members if m.shown],
        "hidden_count": sum(1 for m in members if not m.shown),
        "current_count": len(current),
        "sessions": sessions,
        "may_schedule": runs_group and group.is_active and sum(1 for s in sessions if s.number) < GROUP_SESSIONS,
        "runs_group": runs_group,
        "may_edit": may_edit_group(request.user, group),
        "size_warnings": [w for w in (size_warning(len(current)), capacity_warning(group.capacity)) if w],
        "missing_pregroup": [m for m in current if m.shown and not _pregroup_held(m.pregroup)],
        "now": timezone.now(),
    }
    return render(request, "groups/group_detail.html", context)


def _pregroup_held(meeting: TherapySession | None) -> bool:
    return meeting is not None and meeting.status == SessionStatus.ATTENDED


# ---------------------------------------------------------------------------------------------------- members


@require_staff
def member_add(request: HttpRequest, group_id: int) -> HttpResponse:
    group = access_group_by_id(request.user, group_id, write=True)
    if request.method == "POST" and request.POST.get("client"):
        # The form lists only clients the user may change; a client they may not is "not found" (and audited).
        access_client_by_id(request.user, request.POST["client"], write=True)
    form = MemberAddForm(posted(request), group=group, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = data["client"]
        try:
            member = do_add_member(
                group,
                client,
                problem_area=data["problem_area"],
                goal=data["goal"],
                joined_on=data["joined_on"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s joined the group. Next: their pre-group individual meeting.")
                % {"name": client.display_name},
            )
            tell_too_many(request, group)
            return redirect("group_member", group_id=group.pk, member_id=member.pk)
    record_group_view(request.user, group, [], kind="member_add")
    return render(request, "groups/member_add.html", {"group": group, "form": form})


@require_staff
def member_detail(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    """The member's problem area and goal (editable by a facilitator) and their pre-group meeting."""
    member = access_member_by_id(request.user, group_id, member_id)
    group = member.group
    runs_group = is_facilitator(request.user, group)
    form = MemberForm(posted(request), instance=member) if runs_group else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the group's facilitators change its members."))
        if form.is_valid():
            do_update_member(member, form.cleaned_data, acting_user=request.user)
            messages.success(request, _("Saved."))
            return redirect("group_member", group_id=group.pk, member_id=member.pk)
    may_schedule = bool(writable_client_ids(request.user, [member.client_id]))
    meeting = pregroup_meetings([member]).get(member.episode_id)
    needs_meeting = meeting is None or meeting.status == SessionStatus.MISSED
    record_group_view(request.user, group, [member.client_id], kind="member", member_id=member.pk)
    context = {
        "group": group,
        "member": member,
        "form": form,
        "meeting": meeting,
        "pregroup_form": _pregroup_form(request, member) if runs_group and may_schedule and needs_meeting else None,
        "may_mark_held": runs_group and may_schedule,
        "now": timezone.now(),
    }
    return render(request, "groups/member_detail.html", context)


def _pregroup_form(request: HttpRequest, member: GroupMember, data: Any = None) -> PregroupForm:
    return PregroupForm(data, episode=member.episode, acting_user=request.user)


@require_staff
@require_POST
def member_pregroup(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    """Schedule the pre-group individual meeting in the member's episode (a facilitator on the client's team)."""
    member = _member_on_my_team(request, group_id, member_id)
    form = _pregroup_form(request, member, request.POST)
    if form.is_valid():
        try:
            do_add_session(
                member.episode,
                scheduled_start=form.start(),
                minutes=form.cleaned_data["minutes"],
                therapist=form.cleaned_data["therapist"],
                kind=SessionKind.PRE_GROUP_MEETING,
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The pre-group meeting is scheduled."))
    else:
        problems = [f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        messages.error(request, _("The meeting was not scheduled. ") + " ".join(problems))
    return redirect("group_member", group_id=member.group.pk, member_id=member.pk)


@require_staff
@require_POST
def member_pregroup_held(request: HttpRequest, group_id: int, member_id: int, session_id: int) -> HttpResponse:
    member = _member_on_my_team(request, group_id, member_id)
    meeting = TherapySession.objects.filter(
        episode=member.episode, kind=SessionKind.PRE_GROUP_MEETING, pk=session_id
    ).first()
    if meeting is None:
        messages.error(request, _("That meeting is not this member's pre-group meeting."))
    else:
        meeting.episode = member.episode
        try:
            do_mark_attended(meeting, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The pre-group meeting is recorded as held."))
    return redirect("group_member", group_id=member.group.pk, member_id=member.pk)


def _member_on_my_team(request: HttpRequest, group_id: int, member_id: int) -> GroupMember:
    """A member of a group the user facilitates, whose record the user may change (else 404)."""
    member = access_member_by_id(request.user, group_id, member_id, write=True)
    access_client_by_id(request.user, member.client_id, write=True)
    return member


@require_staff
def member_leave(request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
    """A confirmation page: the date and the reason, then the member leaves the group."""
    member = access_member_by_id(request.user, group_id, member_id, write=True)
    if member.has_left:
        messages.info(request, _("This member has already left the group."))
        return redirect_to_group(member.group)
    form = LeaveForm(posted(request), member=member)
    if request.method == "POST" and form.is_valid():
        try:
            do_leave_group(
                member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s has left the group.") % {"name": member.client.display_name})
            return redirect_to_group(member.group)
    record_group_view(request.user, member.group, [member.client_id], kind="member_leave", member_id=member.pk)
    return render(request, "groups/member_leave.html", {"group": member.group, "member": member, "form": form})

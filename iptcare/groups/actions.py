"""Creating and changing a group, its members, its sessions and their attendance.

Each do_* function is one audited transaction that locks the group row first, so two changes to one group never
interleave (the capacity check, for one, reads the member count under that lock). Recording attendance also writes
the member's own session (kind "group_session") into their group-format episode and, for an absence, runs the
missed-sessions rule of iptcare/therapy. The rules that need no database (the *_errors functions) are shared with
the forms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import SupervisionLink
from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.groups.access import FACILITATOR_ROLES
from iptcare.groups.models import (
    ACTIVE_GROUP_STATUSES,
    GROUP_SESSIONS,
    Attendance,
    AttendanceStatus,
    GroupCancelledBy,
    GroupMember,
    GroupSession,
    GroupSessionStatus,
    GroupStatus,
    TherapyGroup,
    Weekday,
)
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import OPEN_STATUSES, Episode, Format, Formulation
from iptcare.therapy.actions import (
    _alert_when_missed_twice,  # the missed-sessions rule of individual sessions, reused as it is
    clash_with,
    lock_episode,
    minutes_errors,
    start_errors,
)
from iptcare.therapy.models import GROUP_SESSION, CancelledBy, SessionStatus, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

GROUP_FIELDS = (
    "name",
    "site",
    "facilitator",
    "co_facilitator",
    "weekday",
    "start_time",
    "session_minutes",
    "capacity",
    "start_date",
)
EDITABLE_GROUP_FIELDS = (*GROUP_FIELDS, "status")
MEMBER_FIELDS = ("problem_area", "goal")
# How far past the start date generating looks for free weeks (cancelled and clashing weeks are skipped).
GENERATION_WEEKS = 26

# What each attendance becomes in the member's episode: an absence is a missed session (and counts towards the
# missed-sessions alert); an excused absence is a session the client cancelled, which the alert leaves out.
EPISODE_STATUS = {
    AttendanceStatus.ATTENDED: SessionStatus.ATTENDED,
    AttendanceStatus.ABSENT: SessionStatus.MISSED,
    AttendanceStatus.EXCUSED: SessionStatus.CANCELLED,
}


@dataclass
class GeneratedSessions:
    """What generating the group's sessions did."""

    created: list[GroupSession] = field(default_factory=list)
    # (date, why it was left out)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- rules


def schedule_errors(*, weekday: int | None, start_date: dt.date | None) -> dict[str, str]:
    """The first session falls on the group's day of the week."""
    if weekday is None or start_date is None or start_date.weekday() == weekday:
        return {}
    return {
        "start_date": _("%(date)s is a %(actual)s; the group meets on %(weekday)s. Choose a %(weekday)s.")
        % {
            "date": start_date.isoformat(),
            "actual": Weekday(start_date.weekday()).label,
            "weekday": Weekday(weekday).label,
        }
    }


def facilitator_errors(facilitator: User | None, co_facilitator: User | None, organization_id: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, user in (("facilitator", facilitator), ("co_facilitator", co_facilitator)):
        if user is not None and not _may_facilitate(user, organization_id):
            errors[name] = _("Choose an active therapist or counsellor of your organization.")
    if facilitator is not None and co_facilitator is not None and facilitator.pk == co_facilitator.pk:
        errors["co_facilitator"] = _("The co-facilitator is someone other than the facilitator.")
    return errors


def creator_errors(acting_user: User, facilitator: User | None, co_facilitator: User | None) -> dict[str, str]:
    """Whoever creates a group facilitates it or supervises a facilitator: otherwise they could not open it."""
    ids = {u.pk for u in (facilitator, co_facilitator) if u is not None}
    if not ids or acting_user.pk in ids:
        return {}
    if SupervisionLink.objects.filter(supervisor=acting_user, supervisee_id__in=ids).exists():
        return {}
    return {"facilitator": _("Name yourself, or someone you supervise, as a facilitator of the group.")}


def capacity_errors(capacity: int | None, current_members: int) -> dict[str, str]:
    if capacity is not None and capacity < current_members:
        return {
            "capacity": _("The group has %(count)d members: its capacity cannot be lower.") % {"count": current_members}
        }
    return {}


def leave_errors(member: GroupMember, *, left_on: dt.date | None, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if left_on is None:
        errors["left_on"] = _("Give the date the member left.")
    elif left_on < member.joined_on:
        errors["left_on"] = _("The member joined on %(date)s: they leave on that day or later.") % {
            "date": member.joined_on.isoformat()
        }
    elif left_on > timezone.localdate():
        errors["left_on"] = _("Record a member's leaving on the day or afterwards, not ahead.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for leaving.")
    return errors


def cancel_errors(*, cancelled_by: str, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if cancelled_by not in GroupCancelledBy.values:
        errors["cancelled_by"] = _("Say who cancelled: the facilitator or the program.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for cancelling.")
    return errors


def locked_message() -> str:
    return _("The group note of this session is signed and locked: its attendance and notes stay as signed.")


def _may_facilitate(user: User, organization_id: int) -> bool:
    return user.is_active and user.organization_id == organization_id and user.has_role(*FACILITATOR_ROLES)


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def local_start(day: dt.date, time_of_day: dt.time) -> dt.datetime:
    """The aware moment a session starts, on the clinic's clock (daylight saving included)."""
    return timezone.make_aware(dt.datetime.combine(day, time_of_day))


# ---------------------------------------------------------------------------------------------------- the group


@transaction.atomic
def do_create_group(organization_id: int, data: dict[str, Any], *, acting_user: User) -> TherapyGroup:
    """`data` holds GROUP_FIELDS (co_facilitator may be None)."""
    _check_group_data(organization_id, data, exclude_pk=None)
    _raise(creator_errors(acting_user, data["facilitator"], data.get("co_facilitator")))
    group = TherapyGroup(organization_id=organization_id, created_by=acting_user)
    for name in GROUP_FIELDS:
        setattr(group, name, data.get(name))
    group.save()
    _record(group, acting_user, diff_fields({}, _group_values(group)), "created")
    return group


@transaction.atomic
def do_update_group(group: TherapyGroup, data: dict[str, Any], *, acting_user: User) -> TherapyGroup:
    """`data` holds any of EDITABLE_GROUP_FIELDS; the others keep their value. Existing sessions keep their time:
    move them one by one."""
    group = lock_group(group)
    values = {name: data.get(name, getattr(group, name)) for name in EDITABLE_GROUP_FIELDS}
    _check_group_data(group.organization_id, values, exclude_pk=group.pk)
    _raise(capacity_errors(values["capacity"], GroupMember.objects.filter(group=group).current().count()))
    before = _group_values(group)
    for name in EDITABLE_GROUP_FIELDS:
        setattr(group, name, values[name])
    changes = diff_fields(before, _group_values(group))
    if not changes:
        return group
    group.updated_at = timezone.now()
    group.save(update_fields=[*EDITABLE_GROUP_FIELDS, "updated_at"])
    _record(group, acting_user, changes, "updated")
    return group


def _check_group_data(organization_id: int, data: dict[str, Any], *, exclude_pk: int | None) -> None:
    errors = schedule_errors(weekday=data.get("weekday"), start_date=data.get("start_date"))
    errors |= facilitator_errors(data.get("facilitator"), data.get("co_facilitator"), organization_id)
    errors |= minutes_errors(data.get("session_minutes"))
    site = data.get("site")
    if site is None or site.organization_id != organization_id or not site.is_active:
        errors["site"] = _("Choose one of your organization's open sites.")
    name = (data.get("name") or "").strip()
    same_name = TherapyGroup.objects.filter(organization_id=organization_id, name__iexact=name).exclude(pk=exclude_pk)
    if not name:
        errors["name"] = _("Give the group a name.")
    elif same_name.exists():
        errors["name"] = _("Your organization already has a group with that name.")
    _raise(errors)


def _group_values(group: TherapyGroup) -> dict[str, Any]:
    return {name: getattr(group, name) for name in EDITABLE_GROUP_FIELDS}


# ---------------------------------------------------------------------------------------------------- members


@transaction.atomic
def do_add_member(
    group: TherapyGroup,
    client: Client,
    *,
    acting_user: User,
    problem_area: str = "",
    goal: str = "",
    joined_on: dt.date | None = None,
) -> GroupMember:
    """Add a client whose record the acting user may change (the caller checks it). The client's open group-format
    episode is linked, or one is opened with the acting facilitator as its therapist. A blank problem area or goal
    is taken from the client's formulation, when there is one."""
    group = lock_group(group)
    _check_active(group)
    joined_on = joined_on or timezone.localdate()
    current = GroupMember.objects.filter(group=group).current()
    if current.filter(client=client).exists():
        raise ValidationError({"client": _("This client is already a member of the group.")})
    if current.count() >= group.capacity:
        raise ValidationError(
            _("The group is full (capacity %(capacity)d). Raise its capacity first, or wait for a place.")
            % {"capacity": group.capacity}
        )
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("A member joins today or joined earlier, not ahead.")})
    episode, opened = _group_episode(group, client, acting_user, joined_on)
    prefill_area, prefill_goal = formulation_prefill(episode)
    member = GroupMember.objects.create(
        group=group,
        client=client,
        episode=episode,
        problem_area=(problem_area.strip() or prefill_area)[:200],
        goal=(goal.strip() or prefill_goal)[:300],
        joined_on=joined_on,
        added_by=acting_user,
    )
    changes = diff_fields({}, {"member": client.pk, "episode": episode.pk, **_member_values(member)})
    _record(group, acting_user, changes, "member_added", client=client, member_id=member.pk, episode_opened=opened)
    return member


def _group_episode(group: TherapyGroup, client: Client, acting_user: User, joined_on: dt.date) -> tuple[Episode, bool]:
    """The client's open group-format episode (if no other group has it), or a new one: (episode, opened)."""
    episode = Episode.objects.filter(client=client, format=Format.GROUP, status__in=OPEN_STATUSES).first()
    if episode is not None:
        if GroupMember.objects.current().filter(episode=episode).exists():
            raise ValidationError({"client": _("This client's group episode is already in another group.")})
        return episode, False
    if not acting_user.has_role(*FACILITATOR_ROLES):
        raise ValidationError(_("A therapist or counsellor opens the client's group episode."))
    try:
        episode = do_open_episode(
            client,
            format_=Format.GROUP,
            primary_therapist=acting_user,
            acting_user=acting_user,
            session_minutes=group.session_minutes,
            # The course starts with the member's first group session: the group's first, or the day they join.
            start_date=max(joined_on, group.start_date),
        )
    except ValidationError as error:
        raise ValidationError(" ".join(error.messages)) from None
    return episode, True


def formulation_prefill(episode: Episode) -> tuple[str, str]:
    """(problem area, goal) in a few words, from the formulation of this episode or else of the client's most
    recent open episode that has one; ("", "") when there is none."""
    formulation = Formulation.objects.filter(episode=episode).first() or (
        Formulation.objects.filter(episode__client_id=episode.client_id, episode__status__in=OPEN_STATUSES)
        .order_by("-episode__start_date", "-episode_id")
        .first()
    )
    if formulation is None:
        return "", ""
    areas = list(formulation.problem_areas.prefetch_related("goals"))
    area_text = _(" and ").join(str(area.get_kind_display()) for area in areas)
    goal = next((g.description for area in areas for g in area.goals.all()), "")
    return area_text, " ".join(goal.split())


@transaction.atomic
def do_update_member(member: GroupMember, data: dict[str, Any], *, acting_user: User) -> GroupMember:
    """Change the member's problem area and goal for the group."""
    group = lock_group(member.group)
    member = GroupMember.objects.select_related("client").get(pk=member.pk)
    before = _member_values(member)
    for name in MEMBER_FIELDS:
        if name in data:
            setattr(member, name, (data[name] or "").strip())
    changes = diff_fields(before, _member_values(member))
    if not changes:
        return member
    member.updated_at = timezone.now()
    member.save(update_fields=[*MEMBER_FIELDS, "updated_at"])
    _record(group, acting_user, changes, "member_changed", client=member.client, member_id=member.pk)
    return member


@transaction.atomic
def do_leave_group(member: GroupMember, *, left_on: dt.date, reason: str, acting_user: User) -> GroupMember:
    """The member leaves on `left_on`. Their episode stays open: its closure is recorded on the episode."""
    group = lock_group(member.group)
    member = GroupMember.objects.select_related("client").get(pk=member.pk)
    if member.has_left:
        raise ValidationError(_("This member has already left the group."))
    _raise(leave_errors(member, left_on=left_on, reason=reason))
    later = (
        Attendance.objects.filter(member=member, session__scheduled_start__gte=local_start(left_on, dt.time.min))
        .select_related("session")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "left_on": _("Their attendance is recorded on %(date)s: they left after that.")
                % {"date": later.session.local_date.isoformat()}
            }
        )
    member.left_on, member.leave_reason = left_on, reason.strip()
    member.updated_at = timezone.now()
    member.save(update_fields=["left_on", "leave_reason", "updated_at"])
    changes = {"left_on": [None, left_on.isoformat()], "leave_reason": ["", member.leave_reason]}
    _record(group, acting_user, changes, "member_left", client=member.client, member_id=member.pk)
    return member


def _member_values(member: GroupMember) -> dict[str, Any]:
    return {name: getattr(member, name) for name in MEMBER_FIELDS}


# ---------------------------------------------------------------------------------------------------- sessions


@transaction.atomic
def do_generate_group_sessions(group: TherapyGroup, *, acting_user: User) -> GeneratedSessions:
    """Schedule the group's sessions weekly from its first date, at its time, until it has eight that are not
    cancelled. Weeks that already have a session (a cancelled one too) or in which a facilitator has another
    session at that time are skipped, so a cancelled session is replaced at the end."""
    group = lock_group(group)
    _check_active(group)
    existing = list(GroupSession.objects.filter(group=group))
    room = GROUP_SESSIONS - sum(1 for s in existing if s.status != GroupSessionStatus.CANCELLED)
    if room <= 0:
        raise ValidationError(_("The group already has its %(count)d sessions.") % {"count": GROUP_SESSIONS})
    taken = {s.local_date for s in existing}
    result = GeneratedSessions()
    for week in range(GENERATION_WEEKS):
        if room == 0:
            break
        day = group.start_date + dt.timedelta(weeks=week)
        start = local_start(day, group.start_time)
        reason = _skip_reason(group, day, start, taken)
        if reason:
            result.skipped.append((day, reason))
            continue
        result.created.append(
            GroupSession(group=group, scheduled_start=start, minutes=group.session_minutes, created_by=acting_user)
        )
        room -= 1
    GroupSession.objects.bulk_create(result.created)
    extra = {
        "session_ids": [s.pk for s in result.created],
        "starts": [timezone.localtime(s.scheduled_start).isoformat() for s in result.created],
        "skipped": [day.isoformat() for day, _reason in result.skipped],
    }
    _record(group, acting_user, None, "sessions_generated", **extra)
    return result


def _skip_reason(group: TherapyGroup, day: dt.date, start: dt.datetime, taken: set[dt.date]) -> str:
    if day in taken:
        return _("already has a session")
    if _facilitator_clash(group, start, group.session_minutes) is not None:
        return _("a facilitator has another session then")
    return ""


def _facilitator_clash(
    group: TherapyGroup, start: dt.datetime, minutes: int, *, exclude: GroupSession | None = None
) -> TherapySession | None:
    """A facilitator's other session at this time. A member's record of this same group session is no clash."""
    for facilitator_id in sorted(group.facilitator_ids):
        other = clash_with(facilitator_id, start, minutes)
        if other is not None and (exclude is None or other.group_session_id != exclude.pk):
            return other
    return None


@transaction.atomic
def do_reschedule_group_session(
    session: GroupSession, *, scheduled_start: dt.datetime, minutes: int | None, reason: str, acting_user: User
) -> GroupSession:
    """Move a scheduled session; the old and new values are in the audit trail."""
    session = lock_group_session(session)
    _check_still_scheduled(session, _("Only a scheduled session is moved."))
    minutes = minutes or session.minutes
    _raise(minutes_errors(minutes) | start_errors(scheduled_start))
    before = {"scheduled_start": session.scheduled_start, "minutes": session.minutes}
    changes = diff_fields(before, {"scheduled_start": scheduled_start, "minutes": minutes})
    if not changes:
        return session
    other = _facilitator_clash(session.group, scheduled_start, minutes, exclude=session)
    if other is not None:
        raise ValidationError(
            {
                "scheduled_start": _("A facilitator has another session from %(start)s to %(end)s.")
                % {
                    "start": timezone.localtime(other.scheduled_start).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
                }
            }
        )
    session.scheduled_start, session.minutes = scheduled_start, minutes
    _save_session(session, "scheduled_start", "minutes")
    _record(session.group, acting_user, changes, "session_rescheduled", obj=session, reason=reason.strip())
    return session


@transaction.atomic
def do_cancel_group_session(
    session: GroupSession, *, cancelled_by: str, reason: str, acting_user: User
) -> GroupSession:
    session = lock_group_session(session)
    _check_still_scheduled(session, _("Only a scheduled session is cancelled."))
    _raise(cancel_errors(cancelled_by=cancelled_by, reason=reason))
    session.status = GroupSessionStatus.CANCELLED
    session.cancelled_by, session.cancel_reason = cancelled_by, reason.strip()
    _save_session(session, "status", "cancelled_by", "cancel_reason")
    changes = {
        "status": [GroupSessionStatus.SCHEDULED.value, session.status],
        "cancelled_by": ["", cancelled_by],
        "cancel_reason": ["", session.cancel_reason],
    }
    _record(session.group, acting_user, changes, "session_cancelled", obj=session)
    return session


def _check_still_scheduled(session: GroupSession, message: str) -> None:
    if session.status != GroupSessionStatus.SCHEDULED:
        raise ValidationError(message, code="not_scheduled")


def _save_session(session: GroupSession, *fields: str) -> None:
    session.updated_at = timezone.now()
    session.save(update_fields=[*fields, "updated_at"])


# ---------------------------------------------------------------------------------------------------- attendance


@transaction.atomic
def do_record_attendance(
    session: GroupSession, statuses: dict[int, str], *, acting_user: User
) -> dict[int, Attendance]:
    """Record attended, absent or excused for members of the group on the session's day ({member id: status});
    members left out keep what they had. Each change is written into the member's episode too, and an absence
    runs the missed-sessions rule. The session is then held. Refused once its note is signed."""
    session = lock_group_session(session)
    _check_attendance_allowed(session)
    members = {m.pk: m for m in GroupMember.objects.filter(group=session.group).present_on(session.local_date)}
    _raise(_attendance_errors(statuses, members))
    recorded = {a.member_id: a for a in Attendance.objects.filter(session=session)}
    # Episodes are locked in one order, so two facilitators recording at once cannot deadlock.
    for member in sorted((members[i] for i in statuses), key=lambda m: m.episode_id):
        status = statuses[member.pk]
        previous = recorded.get(member.pk)
        if previous is not None and previous.status == status:
            continue
        recorded[member.pk] = _record_member_attendance(session, member, previous, status, acting_user)
    if statuses and session.status == GroupSessionStatus.SCHEDULED:
        session.status = GroupSessionStatus.HELD
        _save_session(session, "status")
        changes = {"status": [GroupSessionStatus.SCHEDULED.value, GroupSessionStatus.HELD.value]}
        _record(session.group, acting_user, changes, "session_held", obj=session)
    return recorded


def _check_attendance_allowed(session: GroupSession) -> None:
    if session.status == GroupSessionStatus.CANCELLED:
        raise ValidationError(_("The session was cancelled: there is no attendance to record."))
    if not session.has_started:
        raise ValidationError(_("This session has not started yet: record attendance once it has."))
    if session.group.status == GroupStatus.CANCELLED:
        raise ValidationError(_("The group is cancelled."))
    note = getattr(session, "note", None)
    if note is not None and note.is_signed:
        raise ValidationError(locked_message(), code="locked")


def _attendance_errors(statuses: dict[int, str], members: dict[int, GroupMember]) -> dict[str, str]:
    errors: dict[str, str] = {}
    strangers = sorted(str(i) for i in statuses if i not in members)
    if strangers:
        errors["attendance"] = _("Not members of the group on that day: %(ids)s.") % {"ids": ", ".join(strangers)}
    if any(status not in AttendanceStatus.values for status in statuses.values()):
        errors["status"] = _("Record attended, absent or excused.")
    return errors


def _record_member_attendance(
    session: GroupSession, member: GroupMember, previous: Attendance | None, status: str, acting_user: User
) -> Attendance:
    before = previous.status if previous is not None else None
    if previous is None:
        attendance = Attendance.objects.create(session=session, member=member, status=status, recorded_by=acting_user)
    else:
        attendance = previous
        attendance.status, attendance.recorded_by, attendance.recorded_at = status, acting_user, timezone.now()
        attendance.save(update_fields=["status", "recorded_by", "recorded_at"])
    in_episode = _write_into_episode(session, member, status, acting_user)
    if status == AttendanceStatus.ABSENT:
        _alert_when_missed_twice(in_episode)
    _record(
        session.group,
        acting_user,
        {"attendance": [before, status]},
        "attendance",
        obj=attendance,
        client=in_episode.episode.client,
        member_id=member.pk,
        group_session_id=session.pk,
        therapy_session_id=in_episode.pk,
    )
    return attendance


def _write_into_episode(session: GroupSession, member: GroupMember, status: str, acting_user: User) -> TherapySession:
    """The member's own session for this group session, created or brought up to date."""
    episode = lock_episode(member.episode)
    values: dict[str, Any] = {
        "status": EPISODE_STATUS[AttendanceStatus(status)],
        "cancelled_by": CancelledBy.CLIENT if status == AttendanceStatus.EXCUSED else "",
        "cancel_reason": _("Excused from the group session.") if status == AttendanceStatus.EXCUSED else "",
    }
    row = TherapySession.objects.filter(episode=episode, group_session=session).first()
    if row is None:
        row = TherapySession.objects.create(
            episode=episode,
            therapist_id=session.group.facilitator_id,
            scheduled_start=session.scheduled_start,
            minutes=session.minutes,
            kind=GROUP_SESSION,
            group_session=session,
            created_by=acting_user,
            **values,
        )
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save(update_fields=[*values, "updated_at"])
    row.episode = episode
    return row


# ---------------------------------------------------------------------------------------------------- helpers


def _check_active(group: TherapyGroup) -> None:
    if group.status not in ACTIVE_GROUP_STATUSES:
        raise ValidationError(
            _("The group is %(status)s: it takes no new members or sessions.")
            % {"status": group.get_status_display().lower()}
        )


def lock_group(group: TherapyGroup) -> TherapyGroup:
    """The group's row, locked until the transaction ends (site and facilitators come along)."""
    return (
        TherapyGroup.objects.select_for_update(of=("self",))
        .select_related("site", "facilitator", "co_facilitator")
        .get(pk=group.pk)
    )


def lock_group_session(session: GroupSession) -> GroupSession:
    group = lock_group(session.group)
    fresh = GroupSession.objects.select_related("note").get(pk=session.pk)
    fresh.group = group
    return fresh


def _record(
    group: TherapyGroup,
    acting_user: User,
    changes: dict[str, list[Any]] | None,
    kind: str,
    *,
    obj: Any = None,
    client: Client | None = None,
    reason: str = "",
    **extra: Any,
) -> None:
    record_event(
        EventType.GROUP_CHANGED,
        actor=acting_user,
        client=client,
        obj=obj or group,
        reason=reason,
        changes=changes,
        extra={"kind": kind, "group_id": group.pk, **extra},
    )

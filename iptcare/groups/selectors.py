"""Read-only queries for the group pages and the API: each list is one query whatever its length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.groups.models import (
    GROUP_SESSIONS,
    RECOMMENDED_SIZE,
    Attendance,
    AttendanceStatus,
    GroupMember,
    GroupNote,
    GroupSession,
    GroupSessionStatus,
    MemberNote,
    TherapyGroup,
)
from iptcare.ipt.models import Format
from iptcare.ipt.phases import PHASE_LABELS, phase_of_session
from iptcare.measures.models import Administration
from iptcare.therapy.models import SessionKind, SessionStatus, TherapySession

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from iptcare.ipt.models import Episode

# The questionnaire offered for each member from the group note (IPT-DOMAIN §5, §9: PHQ-9 at intake and every few
# sessions).
MEMBER_INSTRUMENT = "PHQ-9"


def numbered(sessions: list[GroupSession]) -> list[GroupSession]:
    """Give each session its `number` (1–8, in time order; None when cancelled) and the group's `phase` then
    (IPT-DOMAIN §1, WHO Group IPT: 1 initial, 2–7 middle, 8 termination). `sessions` is the group's whole list."""
    count = 0
    for session in sessions:
        if session.status == GroupSessionStatus.CANCELLED:
            session.number, session.phase, session.phase_label = None, "", ""
            continue
        count += 1
        session.number = count
        session.phase = phase_of_session(Format.GROUP, count, GROUP_SESSIONS)
        session.phase_label = str(PHASE_LABELS[session.phase])
    return sessions


def group_sessions(group: TherapyGroup) -> list[GroupSession]:
    """The group's sessions in time order, numbered, with their note and how many members attended, were absent
    or excused."""
    counted = {
        f"{status}_count": Count("attendance", filter=Q(attendance__status=status)) for status in AttendanceStatus
    }
    sessions = list(
        GroupSession.objects.filter(group=group)
        .select_related("note")
        .annotate(**counted)
        .order_by("scheduled_start", "pk")
    )
    for session in sessions:
        session.group = group
    return numbered(sessions)


def numbered_session(session: GroupSession) -> GroupSession:
    """The session with its number and phase, read from the group's list (one query)."""
    others = list(GroupSession.objects.filter(group_id=session.group_id).only("pk", "status", "scheduled_start"))
    others.sort(key=lambda s: (s.scheduled_start, s.pk))
    mine = next(s for s in numbered(others) if s.pk == session.pk)
    session.number, session.phase, session.phase_label = mine.number, mine.phase, mine.phase_label
    return session


def group_members(group: TherapyGroup) -> list[GroupMember]:
    """Every member, current ones first, with their client and episode."""
    members = list(
        GroupMember.objects.filter(group=group)
        .select_related("client", "episode")
        .order_by(F("left_on").asc(nulls_first=True), "joined_on", "pk")
    )
    for member in members:
        member.group = group
    return members


def present_members(session: GroupSession) -> QuerySet[GroupMember]:
    """The members of the group on the day of the session, with their client and episode."""
    return (
        GroupMember.objects.filter(group_id=session.group_id)
        .present_on(session.local_date)
        .select_related("client", "episode")
        .order_by("joined_on", "pk")
    )


def pregroup_meetings(members: list[GroupMember]) -> dict[int, TherapySession]:
    """Each member's pre-group individual meeting, by episode id: the held one, else the one still to come, else
    a missed one (cancelled meetings do not count)."""
    rank = {SessionStatus.ATTENDED: 0, SessionStatus.SCHEDULED: 1, SessionStatus.MISSED: 2}
    meetings = TherapySession.objects.filter(
        episode_id__in=[m.episode_id for m in members], kind=SessionKind.PRE_GROUP_MEETING
    ).exclude(status=SessionStatus.CANCELLED)
    best: dict[int, TherapySession] = {}
    for meeting in meetings.order_by("scheduled_start", "pk"):
        current = best.get(meeting.episode_id)
        if current is None or rank[meeting.status] <= rank[current.status]:
            best[meeting.episode_id] = meeting
    return best


def attendance_of(session: GroupSession) -> dict[int, Attendance]:
    """{member id: attendance} for one session."""
    return {a.member_id: a for a in Attendance.objects.filter(session=session)}


def member_notes_of(note: GroupNote | None) -> dict[int, MemberNote]:
    """{member id: member note} of a group note."""
    if note is None:
        return {}
    return {m.member_id: m for m in note.member_notes.all()}


def measures_on_day(session: GroupSession, client_ids: list[int]) -> dict[int, list[Administration]]:
    """{client id: questionnaires given on the day of the session}, corrected ones left out."""
    day = session.local_date
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    given = (
        Administration.objects.current()
        .filter(client_id__in=client_ids, administered_at__gte=start, administered_at__lt=start + dt.timedelta(days=1))
        .order_by("administered_at", "pk")
    )
    by_client: dict[int, list[Administration]] = defaultdict(list)
    for administration in given:
        by_client[administration.client_id].append(administration)
    return by_client


def capacity_warning(capacity: int) -> str:
    """A warning when the capacity is outside WHO's suggested size (models.RECOMMENDED_SIZE), else ""."""
    low, high = RECOMMENDED_SIZE
    if low <= capacity <= high:
        return ""
    return _(
        "WHO Group IPT suggests about %(low)d to %(high)d members (to verify); this group's capacity is %(n)d."
    ) % {
        "low": low,
        "high": high,
        "n": capacity,
    }


def size_warning(members: int) -> str:
    """A warning when the group has fewer or more members than WHO suggests, else ""."""
    low, high = RECOMMENDED_SIZE
    if low <= members <= high:
        return ""
    return _("WHO Group IPT suggests about %(low)d to %(high)d members (to verify); this group has %(n)d.") % {
        "low": low,
        "high": high,
        "n": members,
    }


def membership_of_episode(episode: Episode) -> GroupMember | None:
    """The group membership a group-format episode belongs to (the current one, else the latest), with its group."""
    return (
        GroupMember.objects.filter(episode=episode)
        .select_related("group")
        .order_by(F("left_on").desc(nulls_first=True), "-joined_on", "-pk")
        .first()
    )


def next_group_session_of(episode: Episode) -> GroupSession | None:
    """The next session of the episode's current group (scheduled, from two hours ago on, as therapy's next session
    is), numbered, or None. A member's own session rows are written when attendance is recorded, so the episode's
    next session is the group's."""
    member = GroupMember.objects.current().filter(episode=episode).select_related("group").first()
    if member is None:
        return None
    since = timezone.now() - dt.timedelta(hours=2)
    upcoming = [
        s
        for s in group_sessions(member.group)
        if s.status == GroupSessionStatus.SCHEDULED and s.scheduled_start >= since
    ]
    return upcoming[0] if upcoming else None

"""The demo clinic's group IPT cycle (issue 5 part 9), built through the actions the way a facilitator would use the
pages, so the audit trail reads like real use. Called by the demo command.

One running group, facilitated by the demo therapist with the demo counsellor: seven members (clients on the
therapist's caseload, referred ones first, who have no other episode), each with a held pre-group meeting, problem
area and goal; eight weekly sessions of which the first five are past. Their attendance is recorded — two members
missed one session each, one was excused once —, the notes of sessions 1–4 are signed with a
note per attending member, session 5's is a draft, and every member answered a PHQ-9 at sessions 1 and 5.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from iptcare.clients.models import Client, ClientStatus
from iptcare.groups.actions import (
    do_add_member,
    do_create_group,
    do_generate_group_sessions,
    do_record_attendance,
    do_update_group,
    local_start,
)
from iptcare.groups.actions_notes import do_save_group_note_draft, do_save_member_note, do_sign_group_note
from iptcare.groups.models import AttendanceStatus, GroupMember, GroupSession, GroupStatus, TherapyGroup
from iptcare.measures.actions import do_record_administration
from iptcare.therapy.actions import do_add_session, do_mark_attended
from iptcare.therapy.models import SessionKind

if TYPE_CHECKING:
    from iptcare.accounts.models import Organization, User

GROUP_NAME = "Thursday evening IPT group"
MEMBERS = 7
HELD_SESSIONS = 5
# (problem area, goal for the group) of each member, in order.
FOCUS = [
    ("Role transition: early recovery", "Two sober activities a week with someone new"),
    ("Role dispute with her partner", "Say what she needs without a row"),
    ("Grief: his father's death last spring", "Talk about his father with his brother"),
    ("Interpersonal deficits: isolation", "Phone one person every day"),
    ("Role transition: leaving prison", "Find one person outside who supports his recovery"),
    ("Role dispute with her mother", "Agree the childcare days with her mother"),
    ("Role transition: losing his job", "Tell his friends about the job loss"),
]
# What the group worked on in sessions 1 to 5 (WHO Group IPT: session 1 initial, then the middle phase).
SESSION_WORK = [
    (
        "Introductions. Each member named their problem area and their goal; the group agreed its rules "
        "(confidentiality, time, no using on the day). Depression and its link to use explained as an illness.",
        "Loneliness since stopping use; rows at home.",
        ["exploratory", "clarification"],
    ),
    (
        "Events of the week linked to mood and use. Two members described rows at home; the group looked at what "
        "was said and what was meant.",
        "Disputes at home; expectations that are not said aloud.",
        ["communication_analysis", "encouragement_of_affect"],
    ),
    (
        "Role play: asking for help without blaming. Members practised with each other and set one try for the week.",
        "Asking for help; shame about past use.",
        ["role_play", "homework"],
    ),
    (
        "Options for a hard conversation, with their pros and cons, chosen and rehearsed. Homework reviewed.",
        "New routines in early recovery; old friends who still use.",
        ["decision_analysis", "role_play", "homework"],
    ),
    (
        "Progress on each goal so far; the group noticed who had reached out to someone new.",
        "Building a recovery network.",
        ["clarification", "encouragement_of_affect"],
    ),
]
OBSERVATIONS = "The group is cohesive; quieter members spoke more this week."
# Attendance exceptions: (member index, session index) → status. One absence each for two members; the demo's
# missed-sessions alert comes from individual sessions (iptcare/demo/sessions.py).
ATTENDANCE = {
    (1, 1): AttendanceStatus.ABSENT,
    (3, 2): AttendanceStatus.ABSENT,
    (5, 3): AttendanceStatus.EXCUSED,
}
# Each member's PHQ-9 total at sessions 1 and 5.
PHQ9_TOTALS = [(16, 11), (14, 12), (19, 15), (12, 12), (15, 9), (11, 8), (17, 13)]
# Times tried for the pre-group meetings on the days before the group starts, after the day's individual sessions.
PREGROUP_TIMES = (dt.time(16, 30), dt.time(17, 30), dt.time(18, 30))


def build_group_cycle(
    organization: Organization,
    staff: dict[str, User],
    *,
    weekday: int,
    start_time: dt.time,
    minutes: int,
    today: dt.date | None = None,
) -> TherapyGroup | None:
    """The demo's group cycle, or None when the organization already has a group (the command may run again)."""
    if TherapyGroup.objects.filter(organization=organization).exists():
        return None
    therapist, counsellor = staff["therapist"], staff["counsellor"]
    clients = _members_to_be(therapist)
    if len(clients) < 2:
        return None
    today = today or timezone.localdate()
    first = _first_session(today, weekday)
    group = do_create_group(
        organization.pk,
        {
            "name": GROUP_NAME,
            "site": therapist.home_site or organization.sites.filter(is_active=True).first(),
            "facilitator": therapist,
            "co_facilitator": counsellor,
            "weekday": weekday,
            "start_time": start_time,
            "session_minutes": minutes,
            "capacity": 8,
            "start_date": first,
        },
        acting_user=therapist,
    )
    members = _add_members(group, clients, therapist, first)
    do_generate_group_sessions(group, acting_user=therapist)
    sessions = list(GroupSession.objects.filter(group=group).order_by("scheduled_start"))
    for index, session in enumerate(sessions[:HELD_SESSIONS]):
        _hold(session, index, members, therapist)
    return do_update_group(group, {"status": GroupStatus.RUNNING}, acting_user=therapist)


def _members_to_be(therapist: User) -> list[Client]:
    """Clients on the therapist's care teams with no open group episode: referred ones first, then active ones."""
    candidates = (
        Client.objects.openable_by(therapist, write=True)
        .filter(status__in=(ClientStatus.REFERRED, ClientStatus.ACTIVE))
        .exclude(episodes__format="group")
    )
    ordered = sorted(candidates, key=lambda c: (c.status != ClientStatus.REFERRED, c.identifier))
    return ordered[:MEMBERS]


def _first_session(today: dt.date, weekday: int) -> dt.date:
    """The group's weekday HELD_SESSIONS − 1 weeks before its latest past occurrence, so sessions 1–5 are over."""
    last = today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return last - dt.timedelta(weeks=HELD_SESSIONS - 1)


def _add_members(group: TherapyGroup, clients: list[Client], therapist: User, first: dt.date) -> list[GroupMember]:
    members = []
    for index, client in enumerate(clients):
        area, goal = FOCUS[index % len(FOCUS)]
        joined = first - dt.timedelta(days=14)
        member = do_add_member(group, client, problem_area=area, goal=goal, joined_on=joined, acting_user=therapist)
        _pregroup_meeting(member, therapist, first, index)
        members.append(member)
    return members


def _pregroup_meeting(member: GroupMember, therapist: User, first: dt.date, index: int) -> None:
    """Held on one of the three days before the first session, at the first free time."""
    day = first - dt.timedelta(days=3 - index // len(PREGROUP_TIMES) % 3)
    for time_of_day in PREGROUP_TIMES:
        try:
            meeting = do_add_session(
                member.episode,
                scheduled_start=local_start(day, time_of_day),
                minutes=50,
                therapist=therapist,
                kind=SessionKind.PRE_GROUP_MEETING,
                acting_user=therapist,
            )
        except ValidationError:
            continue  # the therapist is busy then: the next time
        do_mark_attended(meeting, acting_user=therapist)
        return


def _hold(session: GroupSession, index: int, members: list[GroupMember], facilitator: User) -> None:
    statuses = {m.pk: ATTENDANCE.get((n, index), AttendanceStatus.ATTENDED) for n, m in enumerate(members)}
    do_record_attendance(session, statuses, acting_user=facilitator)
    worked_on, themes, techniques = SESSION_WORK[index % len(SESSION_WORK)]
    data = {"worked_on": worked_on, "themes": themes, "techniques": techniques, "observations": OBSERVATIONS}
    do_save_group_note_draft(session, data, acting_user=facilitator)
    for n, member in enumerate(members):
        if statuses[member.pk] != AttendanceStatus.ATTENDED:
            continue
        _member_note(session, member, n, index, facilitator)
        if index in (0, HELD_SESSIONS - 1):
            _phq9(session, member, n, index, facilitator)
    if index < HELD_SESSIONS - 1:
        do_sign_group_note(session, signature=facilitator.full_name, acting_user=facilitator)


def _member_note(session: GroupSession, member: GroupMember, n: int, index: int, facilitator: User) -> None:
    before, after = PHQ9_TOTALS[n % len(PHQ9_TOTALS)]
    # Mood 0–10 rises as the PHQ-9 falls over the five sessions.
    total = before + (after - before) * index / (HELD_SESSIONS - 1)
    data = {
        "worked_on": f"{member.problem_area}: {member.goal.lower()}.",
        "mood": max(0, min(10, round(10 - total / 2.7))),
        "risk_flag": False,
        "risk_notes": "",
    }
    do_save_member_note(session, member, data, acting_user=facilitator)


def _phq9(session: GroupSession, member: GroupMember, n: int, index: int, facilitator: User) -> None:
    before, after = PHQ9_TOTALS[n % len(PHQ9_TOTALS)]
    total = before if index == 0 else after
    # Items 1–8 carry the total; item 9 stays 0 (the demo's item-9 alert is elsewhere).
    answers = {str(item): 0 for item in range(1, 10)}
    for item in range(1, 9):
        answers[str(item)] = min(3, total)
        total -= answers[str(item)]
    do_record_administration(
        member.client,
        "PHQ-9",
        answers,
        acting_user=facilitator,
        administered_at=session.scheduled_start + dt.timedelta(minutes=5),
        notify=False,
    )

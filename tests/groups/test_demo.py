"""The demo's group cycle (iptcare/groups/demo.py), built through the actions: a running group with its members,
their pre-group meetings, five held sessions with attendance, notes and measures; and nothing the second time."""

from __future__ import annotations

import datetime as dt

import pytest

from iptcare.accounts.models import Organization, Site, User
from iptcare.clients.models import Client
from iptcare.groups.demo import GROUP_NAME, build_group_cycle
from iptcare.groups.models import GroupMember, GroupNote, GroupSession, MemberNote
from iptcare.measures.models import Administration, Alert, AlertRule
from iptcare.therapy.models import GROUP_SESSION, SessionKind, TherapySession
from iptcare.therapy.numbering import held_count
from tests.conftest import make_client
from tests.groups.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(north: Organization, north_site: Site, alice: User, cody: User, fern: Client):
    for _ in range(6):
        make_client(north, north_site, primary=alice, status="referred")
    return build_group_cycle(
        north, {"therapist": alice, "counsellor": cody}, weekday=3, start_time=dt.time(17, 30), minutes=90
    )


def test_it_builds_a_running_group_with_five_sessions_held(cycle, alice: User, cody: User) -> None:
    assert (cycle.name, cycle.status, cycle.facilitator, cycle.co_facilitator) == (GROUP_NAME, "running", alice, cody)
    sessions = list(GroupSession.objects.order_by("scheduled_start"))
    assert [s.status for s in sessions] == ["held"] * 5 + ["scheduled"] * 3
    assert sessions[4].local_date < TODAY < sessions[5].local_date
    assert {s.local_date.weekday() for s in sessions} == {3}


def test_every_member_had_a_pre_group_meeting(cycle) -> None:
    members = list(GroupMember.objects.all())
    meetings = TherapySession.objects.filter(kind=SessionKind.PRE_GROUP_MEETING, status="attended")

    assert len(members) == 7
    assert sorted(m.episode_id for m in meetings) == sorted(m.episode_id for m in members)
    assert all(m.problem_area and m.goal for m in members)


def test_attendance_notes_and_measures(cycle) -> None:
    notes = list(GroupNote.objects.order_by("session__scheduled_start"))

    assert [n.is_signed for n in notes] == [True, True, True, True, False]
    assert MemberNote.objects.count() == 7 * 5 - 3  # two absences and one excused
    assert TherapySession.objects.filter(kind=GROUP_SESSION).count() == 35
    # Nobody missed two in a row: the demo's missed-sessions alert comes from individual sessions.
    assert Alert.objects.filter(rule=AlertRule.MISSED_SESSIONS).count() == 0
    assert Administration.objects.filter(instrument_code="PHQ-9").count() == 7 * 2  # at sessions 1 and 5
    first = GroupMember.objects.order_by("pk").first()
    assert held_count(first.episode) == 5


def test_it_runs_once(cycle, north: Organization, alice: User, cody: User) -> None:
    again = build_group_cycle(
        north, {"therapist": alice, "counsellor": cody}, weekday=3, start_time=dt.time(17, 30), minutes=90
    )

    assert again is None

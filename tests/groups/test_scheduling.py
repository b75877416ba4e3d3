"""The group's eight sessions: generated weekly from the first date at the group's time, numbered with their phase
(WHO Group IPT: 1 initial, 2–7 middle, 8 termination), moved, cancelled and replaced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.groups.actions import do_cancel_group_session, do_generate_group_sessions, do_reschedule_group_session
from iptcare.groups.models import GroupSession, TherapyGroup
from iptcare.groups.selectors import group_sessions, membership_of_episode, next_group_session_of
from iptcare.ipt.actions import do_open_episode
from iptcare.therapy.models import TherapySession
from tests.groups.conftest import FIRST_SESSION, at

pytestmark = pytest.mark.django_db


def starts(group: TherapyGroup) -> list[dt.datetime]:
    return [timezone.localtime(s.scheduled_start) for s in GroupSession.objects.filter(group=group)]


class TestGenerating:
    def test_it_schedules_eight_weekly_sessions_at_the_groups_time(self, group: TherapyGroup, alice: User) -> None:
        result = do_generate_group_sessions(group, acting_user=alice)

        assert len(result.created) == 8 and result.skipped == []
        assert [s.date() for s in starts(group)] == [FIRST_SESSION + dt.timedelta(weeks=n) for n in range(8)]
        assert {(s.hour, s.minute) for s in starts(group)} == {(10, 0)}
        assert {s.minutes for s in GroupSession.objects.all()} == {90}
        event = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, extra__kind="sessions_generated").get()
        assert len(event.extra["session_ids"]) == 8

    def test_each_session_has_its_number_and_the_groups_phase(self, group: TherapyGroup, alice: User) -> None:
        do_generate_group_sessions(group, acting_user=alice)

        numbered = [(s.number, s.phase) for s in group_sessions(group)]

        assert numbered == [
            (1, "initial"),
            *[(n, "middle") for n in range(2, 8)],
            (8, "termination"),
        ]

    def test_a_cancelled_session_has_no_number_and_is_replaced_at_the_end(
        self, group: TherapyGroup, alice: User
    ) -> None:
        do_generate_group_sessions(group, acting_user=alice)
        third = GroupSession.objects.order_by("scheduled_start")[2]
        do_cancel_group_session(third, cancelled_by="facilitator", reason="Snow.", acting_user=alice)

        result = do_generate_group_sessions(group, acting_user=alice)

        assert [s.local_date for s in result.created] == [FIRST_SESSION + dt.timedelta(weeks=8)]
        sessions = group_sessions(group)
        assert [s.number for s in sessions] == [1, 2, None, 3, 4, 5, 6, 7, 8]
        assert sessions[-1].phase == "termination"

    def test_it_refuses_once_the_group_has_its_eight(self, group: TherapyGroup, alice: User) -> None:
        do_generate_group_sessions(group, acting_user=alice)

        with pytest.raises(ValidationError, match="already has its 8 sessions"):
            do_generate_group_sessions(group, acting_user=alice)

    def test_it_leaves_out_a_week_when_a_facilitator_is_busy(self, group: TherapyGroup, alice: User, fern) -> None:
        episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
        TherapySession.objects.create(
            episode=episode,
            therapist=alice,
            scheduled_start=at(dt.date(2026, 3, 17), 10, 30),
            minutes=50,
            created_by=alice,
        )

        result = do_generate_group_sessions(group, acting_user=alice)

        assert result.skipped == [(dt.date(2026, 3, 17), "a facilitator has another session then")]
        assert len(result.created) == 8
        assert starts(group)[-1].date() == FIRST_SESSION + dt.timedelta(weeks=8)


class TestMovingAndCancelling:
    def test_a_scheduled_session_moves_and_the_change_is_audited(self, sessions: list, alice: User) -> None:
        session = sessions[5]

        do_reschedule_group_session(
            session, scheduled_start=at(dt.date(2026, 4, 15), 14), minutes=None, reason="Holiday.", acting_user=alice
        )

        session.refresh_from_db()
        assert timezone.localtime(session.scheduled_start) == at(dt.date(2026, 4, 15), 14)
        event = AuditEvent.objects.filter(extra__kind="session_rescheduled").get()
        assert event.reason == "Holiday." and "scheduled_start" in event.extra["changes"]

    def test_cancelling_says_who_and_why(self, sessions: list, alice: User) -> None:
        with pytest.raises(ValidationError) as error:
            do_cancel_group_session(sessions[5], cancelled_by="client", reason=" ", acting_user=alice)

        assert set(error.value.message_dict) == {"cancelled_by", "reason"}

    def test_only_a_scheduled_session_is_cancelled(self, sessions: list, alice: User) -> None:
        do_cancel_group_session(sessions[5], cancelled_by="program", reason="Room closed.", acting_user=alice)

        with pytest.raises(ValidationError):
            do_cancel_group_session(sessions[5], cancelled_by="program", reason="Again.", acting_user=alice)


class TestTheEpisodeSide:
    def test_an_episode_knows_its_group_and_next_group_session(
        self, sessions: list[GroupSession], members: list, alice: User
    ) -> None:
        episode = members[0].episode

        assert membership_of_episode(episode) == members[0]
        upcoming = next_group_session_of(episode)
        assert (upcoming.pk, upcoming.number) == (sessions[3].pk, 4)  # today at 10:00, two hours ago

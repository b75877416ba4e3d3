"""Scheduling: sessions from the contract, one at a time, moved, cancelled, attended or missed; their numbers; the
alert after two missed in a row; and undoing an attended or missed record made by mistake."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Contract, Episode
from iptcare.measures.actions import do_close_alert
from iptcare.measures.models import Alert, AlertRule
from iptcare.therapy.actions import (
    do_add_session,
    do_cancel_session,
    do_generate_sessions,
    do_mark_attended,
    do_mark_missed,
    do_reschedule_session,
    do_undo_attendance,
    undo_refusal,
)
from iptcare.therapy.actions_notes import do_save_note_draft, do_sign_note
from iptcare.therapy.models import SessionKind, SessionStatus, TherapySession
from iptcare.therapy.numbering import session_numbers
from tests.therapy.conftest import TODAY, at, book

pytestmark = pytest.mark.django_db

TEN = dt.time(10, 0)


def starts(episode: Episode) -> list[str]:
    return [s.scheduled_start.isoformat() for s in TherapySession.objects.filter(episode=episode)]


class TestGeneratingFromTheContract:
    def test_it_schedules_a_weekly_contract_from_its_first_session(
        self, episode: Episode, contract: Contract, alice: User
    ) -> None:
        result = do_generate_sessions(episode, time_of_day=TEN, include_past=True, acting_user=alice)

        sessions = list(TherapySession.objects.filter(episode=episode))
        assert len(result.created) == len(sessions) == 12
        assert sessions[0].scheduled_start == at(dt.date(2026, 3, 3))
        assert sessions[-1].scheduled_start == at(dt.date(2026, 5, 19))
        assert {s.minutes for s in sessions} == {50}
        assert {s.therapist_id for s in sessions} == {alice.pk}
        # 10:00 on the clinic's clock across the change to summer time (8 March 2026).
        assert sessions[0].scheduled_start.astimezone(dt.UTC).hour == 15
        assert sessions[1].scheduled_start.astimezone(dt.UTC).hour == 14

    def test_it_schedules_a_fortnightly_contract(self, episode: Episode, contract: Contract, alice: User) -> None:
        Contract.objects.filter(pk=contract.pk).update(frequency="fortnightly", end_date=dt.date(2026, 8, 11))

        do_generate_sessions(episode, time_of_day=TEN, include_past=True, acting_user=alice)

        days = [s.scheduled_start.date() for s in TherapySession.objects.filter(episode=episode)]
        assert days[:3] == [dt.date(2026, 3, 3), dt.date(2026, 3, 17), dt.date(2026, 3, 31)]
        assert len(days) == 12
        assert all((b - a).days == 14 for a, b in itertools.pairwise(days))

    def test_it_skips_dates_already_scheduled_and_past_dates(
        self, episode: Episode, contract: Contract, alice: User
    ) -> None:
        book(episode, at(dt.date(2026, 4, 7), 15))

        result = do_generate_sessions(episode, time_of_day=TEN, acting_user=alice)

        # Today (31 March) and every Tuesday after, but not 7 April, which has a session; nothing before today.
        created = sorted(s.scheduled_start.date() for s in result.created)
        assert created[0] == TODAY
        assert dt.date(2026, 4, 7) not in created
        assert dict(result.skipped)[dt.date(2026, 4, 7)] == "already has a session"
        assert dict(result.skipped)[dt.date(2026, 3, 3)] == "in the past"
        assert TherapySession.objects.filter(episode=episode).count() == 1 + len(created)

    def test_running_it_twice_schedules_nothing_more(self, episode: Episode, contract: Contract, alice: User) -> None:
        do_generate_sessions(episode, time_of_day=TEN, include_past=True, acting_user=alice)
        again = do_generate_sessions(episode, time_of_day=TEN, include_past=True, acting_user=alice)

        assert again.created == []
        assert TherapySession.objects.filter(episode=episode).count() == 12

    def test_it_never_schedules_more_than_the_contract(self, episode: Episode, contract: Contract, alice: User) -> None:
        for day in (2, 9, 16):  # three initial-phase sessions held before the contract's dates, on Mondays
            book(episode, at(dt.date(2026, 3, day)), SessionStatus.ATTENDED)

        result = do_generate_sessions(episode, time_of_day=TEN, include_past=True, acting_user=alice)

        assert len(result.created) == 9
        assert "the contract's sessions are all scheduled" in dict(result.skipped).values()

    def test_it_leaves_out_a_time_the_therapist_is_with_another_client(
        self, episode: Episode, contract: Contract, alice: User, north, north_site
    ) -> None:
        from tests.conftest import make_client

        other = make_client(north, north_site, primary=alice)
        from iptcare.ipt.actions import do_open_episode

        other_episode = do_open_episode(other, format_="brief", primary_therapist=alice, acting_user=alice)
        book(other_episode, at(dt.date(2026, 4, 14), 9, 30))

        result = do_generate_sessions(episode, time_of_day=TEN, acting_user=alice)

        assert dict(result.skipped)[dt.date(2026, 4, 14)] == "the therapist has another session then"

    def test_it_needs_a_contract(self, episode: Episode, alice: User) -> None:
        with pytest.raises(ValidationError, match="contract first"):
            do_generate_sessions(episode, time_of_day=TEN, acting_user=alice)

    def test_it_is_audited_once_with_the_sessions(self, episode: Episode, contract: Contract, alice: User) -> None:
        result = do_generate_sessions(episode, time_of_day=TEN, acting_user=alice)

        event = AuditEvent.objects.get(event_type=EventType.SESSION_CHANGED)
        assert event.extra["kind"] == "generated"
        assert event.extra["session_ids"] == [s.pk for s in result.created]
        assert event.client_id == episode.client_id


class TestNumbers:
    def test_cancelled_and_missed_sessions_have_no_number_and_do_not_count(self, episode: Episode) -> None:
        first = book(episode, at(dt.date(2026, 3, 3)), SessionStatus.ATTENDED)
        cancelled = book(episode, at(dt.date(2026, 3, 10)), SessionStatus.CANCELLED)
        second = book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        missed = book(episode, at(dt.date(2026, 3, 24)), SessionStatus.MISSED)
        third = book(episode, at(dt.date(2026, 3, 31)), SessionStatus.ATTENDED)
        upcoming = book(episode, at(dt.date(2026, 4, 7)))
        booster = book(episode, at(dt.date(2026, 6, 2)), kind=SessionKind.BOOSTER)

        numbers = session_numbers(episode)

        assert numbers == {
            first.pk: 1,
            cancelled.pk: None,
            second.pk: 2,
            missed.pk: None,
            third.pk: 3,
            upcoming.pk: 4,  # the number it will have if it is held
            booster.pk: None,
        }

    def test_two_sessions_at_the_same_time_are_numbered_in_the_order_booked(self, episode: Episode) -> None:
        a = book(episode, at(TODAY, 9))
        b = book(episode, at(TODAY, 9))

        assert session_numbers(episode) == {a.pk: 1, b.pk: 2}

    def test_numbers_are_one_query(self, episode: Episode, django_assert_num_queries) -> None:
        for week in range(6):
            book(episode, at(dt.date(2026, 3, 3) + dt.timedelta(weeks=week)), SessionStatus.ATTENDED)

        with django_assert_num_queries(1):
            assert sorted(session_numbers(episode).values()) == [1, 2, 3, 4, 5, 6]


class TestOneSession:
    def test_it_adds_a_session_with_the_team_therapist(self, episode: Episode, alice: User) -> None:
        session = do_add_session(
            episode, scheduled_start=at(dt.date(2026, 4, 2), 14), minutes=45, therapist=alice, acting_user=alice
        )

        assert session.status == SessionStatus.SCHEDULED
        event = AuditEvent.objects.get(event_type=EventType.SESSION_CHANGED)
        assert event.extra["kind"] == "scheduled"
        assert event.extra["changes"]["minutes"] == [None, 45]

    def test_it_refuses_a_therapist_not_on_the_team(self, episode: Episode, alice: User, tom: User) -> None:
        with pytest.raises(ValidationError) as refused:
            do_add_session(episode, scheduled_start=at(TODAY, 15), minutes=50, therapist=tom, acting_user=alice)

        assert "therapist" in refused.value.message_dict

    def test_it_refuses_a_double_booking(self, episode: Episode, alice: User) -> None:
        book(episode, at(dt.date(2026, 4, 2), 14))

        with pytest.raises(ValidationError, match="another session"):
            do_add_session(
                episode, scheduled_start=at(dt.date(2026, 4, 2), 14, 30), minutes=50, therapist=alice, acting_user=alice
            )

    def test_a_closed_episode_takes_booster_sessions_only(self, episode: Episode, alice: User) -> None:
        Episode.objects.filter(pk=episode.pk).update(status="completed")
        episode.refresh_from_db()

        with pytest.raises(ValidationError, match="closed"):
            do_add_session(
                episode, scheduled_start=at(dt.date(2026, 6, 2)), minutes=50, therapist=alice, acting_user=alice
            )
        booster = do_add_session(
            episode,
            scheduled_start=at(dt.date(2026, 6, 2)),
            minutes=50,
            therapist=alice,
            kind=SessionKind.BOOSTER,
            acting_user=alice,
        )
        assert booster.kind == SessionKind.BOOSTER


class TestRescheduleAndCancel:
    def test_rescheduling_keeps_the_old_and_new_time_in_the_audit_trail(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 4, 7)))

        do_reschedule_session(
            session, scheduled_start=at(dt.date(2026, 4, 8), 11), reason="Client's shift changed.", acting_user=alice
        )

        session.refresh_from_db()
        assert session.scheduled_start == at(dt.date(2026, 4, 8), 11)
        event = AuditEvent.objects.get(event_type=EventType.SESSION_CHANGED)
        old, new = event.extra["changes"]["scheduled_start"]
        assert dt.datetime.fromisoformat(old) == at(dt.date(2026, 4, 7))
        assert dt.datetime.fromisoformat(new) == at(dt.date(2026, 4, 8), 11)
        assert event.reason == "Client's shift changed."

    def test_cancelling_needs_a_reason(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 4, 7)))

        with pytest.raises(ValidationError) as refused:
            do_cancel_session(session, cancelled_by="client", reason="  ", acting_user=alice)

        assert "reason" in refused.value.message_dict
        session.refresh_from_db()
        assert session.status == SessionStatus.SCHEDULED

    def test_cancelling_says_who(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 4, 7)))

        with pytest.raises(ValidationError) as refused:
            do_cancel_session(session, cancelled_by="weather", reason="Snow.", acting_user=alice)
        assert "cancelled_by" in refused.value.message_dict

        do_cancel_session(session, cancelled_by="program", reason="Clinic closed for snow.", acting_user=alice)
        session.refresh_from_db()
        assert (session.status, session.cancelled_by, session.cancel_reason) == (
            "cancelled",
            "program",
            "Clinic closed for snow.",
        )

    def test_a_cancelled_session_cannot_be_marked_attended_or_moved(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 3, 24)), SessionStatus.CANCELLED)

        with pytest.raises(ValidationError, match="cancelled session cannot be marked attended"):
            do_mark_attended(session, acting_user=alice)
        with pytest.raises(ValidationError, match="Only a scheduled session"):
            do_reschedule_session(session, scheduled_start=at(dt.date(2026, 4, 8)), acting_user=alice)
        session.refresh_from_db()
        assert session.status == SessionStatus.CANCELLED

    def test_a_session_is_recorded_only_once_it_has_started(self, episode: Episode, alice: User) -> None:
        later_today = book(episode, at(TODAY, 15))

        with pytest.raises(ValidationError, match="not started"):
            do_mark_attended(later_today, acting_user=alice)
        with pytest.raises(ValidationError, match="not started"):
            do_mark_missed(later_today, acting_user=alice)


class TestMissedSessions:
    def missed_alerts(self) -> list[Alert]:
        return list(Alert.objects.filter(rule=AlertRule.MISSED_SESSIONS))

    def test_one_missed_session_raises_nothing(self, episode: Episode, alice: User) -> None:
        book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)

        assert self.missed_alerts() == []

    def test_two_missed_in_a_row_raise_one_alert_for_the_primary_therapist(self, episode: Episode, alice: User) -> None:
        do_mark_missed(book(episode, at(dt.date(2026, 3, 17))), acting_user=alice)
        do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)

        [alert] = self.missed_alerts()
        assert alert.owner == alice
        assert alert.detail == "Missed 2026-03-17 and 2026-03-24"
        assert AuditEvent.objects.filter(event_type=EventType.ALERT_RAISED, client=episode.client).count() == 1

    def test_a_third_missed_session_raises_no_second_alert_while_one_is_open(
        self, episode: Episode, alice: User
    ) -> None:
        for day in (10, 17, 24):
            do_mark_missed(book(episode, at(dt.date(2026, 3, day))), acting_user=alice)

        assert len(self.missed_alerts()) == 1

    def test_after_the_alert_is_closed_a_new_run_raises_a_new_one(self, episode: Episode, alice: User) -> None:
        for day in (3, 10):
            do_mark_missed(book(episode, at(dt.date(2026, 3, day))), acting_user=alice)
        do_close_alert(self.missed_alerts()[0], disposition="Phoned; she is back next week.", acting_user=alice)
        book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        for day in (24, 31):
            do_mark_missed(book(episode, at(dt.date(2026, 3, day))), acting_user=alice)

        assert len(self.missed_alerts()) == 2

    def test_a_cancellation_between_two_missed_sessions_does_not_break_the_row(
        self, episode: Episode, alice: User
    ) -> None:
        do_mark_missed(book(episode, at(dt.date(2026, 3, 10))), acting_user=alice)
        book(episode, at(dt.date(2026, 3, 17)), SessionStatus.CANCELLED)
        do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)

        assert len(self.missed_alerts()) == 1

    def test_an_attended_session_between_breaks_the_row(self, episode: Episode, alice: User) -> None:
        do_mark_missed(book(episode, at(dt.date(2026, 3, 10))), acting_user=alice)
        book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)

        assert self.missed_alerts() == []

    def test_recording_an_earlier_no_show_late_still_finds_the_row(self, episode: Episode, alice: User) -> None:
        earlier = book(episode, at(dt.date(2026, 3, 17)))
        do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)
        do_mark_missed(earlier, acting_user=alice)

        assert len(self.missed_alerts()) == 1


class TestUndoingAttendance:
    """Attended or missed, recorded by mistake, goes back to scheduled while nothing rests on it."""

    def test_an_attended_session_without_a_note_goes_back_to_scheduled_and_it_is_audited(
        self, episode: Episode, alice: User
    ) -> None:
        session = do_mark_attended(book(episode, at(TODAY, 9)), acting_user=alice)

        do_undo_attendance(session, acting_user=alice)

        session.refresh_from_db()
        assert session.status == SessionStatus.SCHEDULED
        event = AuditEvent.objects.filter(event_type=EventType.SESSION_CHANGED).latest("pk")
        assert event.extra["kind"] == "attendance_undone"
        assert event.extra["changes"] == {"status": ["attended", "scheduled"]}
        # It can be recorded again, as missed this time.
        do_mark_missed(session, acting_user=alice)

    @pytest.mark.parametrize("signed", [False, True])
    def test_a_note_draft_or_signed_keeps_the_session_attended(
        self, held: TherapySession, alice: User, signed: bool
    ) -> None:
        do_save_note_draft(held, {"interval_history": "A quiet week.", "risk_review": "none"}, acting_user=alice)
        if signed:
            do_sign_note(held, signature=alice.full_name, acting_user=alice)

        with pytest.raises(ValidationError, match="A note is written for this session"):
            do_undo_attendance(held, acting_user=alice)

        held.refresh_from_db()
        assert held.status == SessionStatus.ATTENDED

    def test_a_missed_session_goes_back_to_scheduled(self, episode: Episode, alice: User) -> None:
        book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        session = do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)

        do_undo_attendance(session, acting_user=alice)

        session.refresh_from_db()
        assert session.status == SessionStatus.SCHEDULED
        assert session_numbers(episode)[session.pk] == 2

    def test_two_missed_in_a_row_wait_for_their_alert_to_be_closed_and_the_alert_stays(
        self, episode: Episode, alice: User
    ) -> None:
        first = do_mark_missed(book(episode, at(dt.date(2026, 3, 17))), acting_user=alice)
        second = do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)
        [alert] = Alert.objects.filter(rule=AlertRule.MISSED_SESSIONS)

        for session in (first, second):
            assert "alert they raised is open" in undo_refusal(session)
            with pytest.raises(ValidationError, match="alert they raised is open"):
                do_undo_attendance(session, acting_user=alice)
        assert TherapySession.objects.filter(status=SessionStatus.MISSED).count() == 2

        do_close_alert(alert, disposition="Recorded as missed by mistake: she came.", acting_user=alice)
        do_undo_attendance(second, acting_user=alice)

        second.refresh_from_db()
        assert second.status == SessionStatus.SCHEDULED
        alert.refresh_from_db()
        assert alert.status == "closed"  # never deleted
        assert Alert.objects.filter(rule=AlertRule.MISSED_SESSIONS).count() == 1

    def test_a_missed_slot_taken_since_is_not_double_booked(self, episode: Episode, alice: User) -> None:
        missed = do_mark_missed(book(episode, at(dt.date(2026, 3, 24))), acting_user=alice)
        book(episode, at(dt.date(2026, 3, 24), 10, 30), SessionStatus.ATTENDED, kind=SessionKind.BOOSTER)

        with pytest.raises(ValidationError, match="another session"):
            do_undo_attendance(missed, acting_user=alice)

    @pytest.mark.parametrize("status", [SessionStatus.SCHEDULED, SessionStatus.CANCELLED])
    def test_only_attended_or_missed_is_undone(self, episode: Episode, alice: User, status: str) -> None:
        session = book(episode, at(dt.date(2026, 3, 24)), status)

        with pytest.raises(ValidationError, match="Only an attended or missed session"):
            do_undo_attendance(session, acting_user=alice)

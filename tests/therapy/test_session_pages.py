"""The session pages: the episode's list with its actions, cancelling after a confirmation, the therapist's day and
week, who may see them, what they record in the audit trail, and their constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Contract, Episode
from iptcare.therapy.models import SessionStatus, TherapySession
from tests.conftest import make_client, sign_in
from tests.therapy.conftest import TODAY, at, book, session_url

pytestmark = pytest.mark.django_db


def queries_of(http: HttpClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(path).status_code == 200
    return len(captured)


def list_url(episode: Episode, page: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/sessions/{page}"


class TestEpisodeList:
    def test_it_lists_the_sessions_with_numbers_and_states(self, episode: Episode, alice: User) -> None:
        book(episode, at(dt.date(2026, 3, 24)), SessionStatus.ATTENDED)
        book(episode, at(dt.date(2026, 3, 27)), SessionStatus.CANCELLED, cancel_reason="Her car broke down.")
        book(episode, at(dt.date(2026, 4, 7)))

        response = sign_in(alice).get(list_url(episode))

        page = response.content.decode()
        assert response.status_code == 200
        assert "1/12" in page and "2/12" in page
        assert "Her car broke down." in page
        assert "Write the note" in page
        event = AuditEvent.objects.get(event_type=EventType.SESSIONS_VIEWED)
        assert (event.client_id, event.extra["kind"]) == (episode.client_id, "episode")

    def test_it_says_when_there_is_no_session(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).get(list_url(episode))

        assert "No session scheduled yet." in response.content.decode()

    def test_a_supervisor_reads_the_list_without_its_actions(self, episode: Episode, bob: User) -> None:
        book(episode, at(dt.date(2026, 4, 7)))

        response = sign_in(bob).get(list_url(episode))

        assert response.status_code == 200
        assert "Reschedule" not in response.content.decode()

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_staff_who_may_not_open_the_client_get_404(
        self, episode: Episode, persona: str, request: pytest.FixtureRequest
    ) -> None:
        session = book(episode, at(TODAY), SessionStatus.ATTENDED)
        http = sign_in(request.getfixturevalue(persona))

        assert http.get(list_url(episode)).status_code == 404
        assert http.get(session_url(session)).status_code == 404
        assert http.post(session_url(session, "cancel/"), {"cancelled_by": "client", "reason": "x"}).status_code == 404

    def test_its_queries_do_not_grow_with_the_sessions(
        self, episode: Episode, alice: User, django_assert_num_queries
    ) -> None:
        http = sign_in(alice)
        http.get(list_url(episode))  # the session and its caches are warm from here on
        for week in range(2):
            book(episode, at(dt.date(2026, 3, 3) + dt.timedelta(weeks=week)), SessionStatus.ATTENDED)
        two = queries_of(http, list_url(episode))
        for week in range(2, 6):
            book(episode, at(dt.date(2026, 3, 3) + dt.timedelta(weeks=week)), SessionStatus.ATTENDED)

        with django_assert_num_queries(two):
            assert http.get(list_url(episode)).status_code == 200


class TestScheduling:
    def test_the_therapist_adds_a_session(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(
            list_url(episode, "new/"),
            {"date": "2026-04-02", "time": "14:30", "minutes": "50", "kind": "session", "therapist": alice.pk},
        )

        assert response.status_code == 302
        assert TherapySession.objects.get().scheduled_start == at(dt.date(2026, 4, 2), 14, 30)

    def test_a_double_booking_shows_next_to_the_time(self, episode: Episode, alice: User) -> None:
        book(episode, at(dt.date(2026, 4, 2), 14))

        response = sign_in(alice).post(
            list_url(episode, "new/"),
            {"date": "2026-04-02", "time": "14:30", "minutes": "50", "kind": "session", "therapist": alice.pk},
        )

        assert "another session" in str(response.context["form"].errors["time"])

    def test_the_contract_page_previews_then_schedules(self, episode: Episode, contract: Contract, alice: User) -> None:
        http = sign_in(alice)
        preview = http.get(list_url(episode, "generate/"))
        assert "2026-05-19" in preview.content.decode()

        response = http.post(list_url(episode, "generate/"), {"time_of_day": "10:00"}, follow=True)

        assert TherapySession.objects.filter(episode=episode).count() == 8  # 31 March to 19 May
        assert "8 sessions scheduled." in response.content.decode()
        assert "in the past" in response.content.decode()

    def test_cancelling_asks_for_confirmation_first(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 4, 7)))
        http = sign_in(alice)

        confirmation = http.get(session_url(session, "cancel/"))
        assert "Cancel the session?" in confirmation.content.decode()
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED

        refused = http.post(session_url(session, "cancel/"), {"cancelled_by": "client", "reason": ""})
        assert "reason" in refused.context["form"].errors
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED

        http.post(session_url(session, "cancel/"), {"cancelled_by": "client", "reason": "Her son is ill."})
        assert TherapySession.objects.get().status == SessionStatus.CANCELLED

    def test_rescheduling_moves_the_session(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(dt.date(2026, 4, 7)))

        sign_in(alice).post(
            session_url(session, "reschedule/"), {"date": "2026-04-09", "time": "16:00", "minutes": "45", "reason": ""}
        )

        session.refresh_from_db()
        assert (session.scheduled_start, session.minutes) == (at(dt.date(2026, 4, 9), 16), 45)

    def test_attended_and_missed_return_to_the_page_they_came_from(self, episode: Episode, alice: User) -> None:
        first = book(episode, at(TODAY, 9))
        second = book(episode, at(TODAY, 10))
        http = sign_in(alice)

        attended = http.post(session_url(first, "attended/"), {"next": "/sessions/"})
        missed = http.post(session_url(second, "missed/"), {"next": "https://elsewhere.test/"})

        assert attended["Location"] == "/sessions/"
        assert missed["Location"] == list_url(episode)
        assert [s.status for s in TherapySession.objects.order_by("pk")] == ["attended", "missed"]

    def test_a_supervisor_may_not_change_the_schedule(self, episode: Episode, bob: User) -> None:
        session = book(episode, at(TODAY, 9))

        response = sign_in(bob).post(session_url(session, "attended/"))

        assert response.status_code == 404
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED


class TestUndoingAttendance:
    def test_attended_is_one_click_and_the_message_offers_the_undo(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(TODAY, 9))
        http = sign_in(alice)

        response = http.post(session_url(session, "attended/"), {"next": "/sessions/"}, follow=True)

        page = response.content.decode()
        assert TherapySession.objects.get().status == SessionStatus.ATTENDED
        assert "Recorded as attended. The note can now be written." in page
        assert f'<a href="{session_url(session, "undo-attendance/")}?next=%2Fsessions%2F">Undo: not attended' in page

    def test_the_undo_asks_first_then_puts_the_session_back_and_returns(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(TODAY, 9), SessionStatus.ATTENDED)
        http = sign_in(alice)

        confirmation = http.get(session_url(session, "undo-attendance/"), {"next": "/sessions/"})
        assert "Undo the attendance?" in confirmation.content.decode()
        assert TherapySession.objects.get().status == SessionStatus.ATTENDED

        response = http.post(session_url(session, "undo-attendance/"), {"next": "/sessions/"})

        assert response["Location"] == "/sessions/"
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED
        event = AuditEvent.objects.filter(event_type=EventType.SESSION_CHANGED).latest("pk")
        assert (event.actor, event.extra["kind"]) == (alice, "attendance_undone")
        # The row offers Attended and Missed again.
        assert 'action="' + session_url(session, "missed/") + '"' in http.get(list_url(episode)).content.decode()

    def test_a_written_note_blocks_the_undo_and_the_page_says_why(
        self, draft, held: TherapySession, alice: User
    ) -> None:
        http = sign_in(alice)

        confirmation = http.get(session_url(held, "undo-attendance/")).content.decode()
        assert "A note is written for this session" in confirmation
        assert "Undo: not attended</button>" not in confirmation
        assert "Open the note" in confirmation

        response = http.post(session_url(held, "undo-attendance/"), follow=True)
        assert "A note is written for this session" in response.content.decode()
        assert TherapySession.objects.get().status == SessionStatus.ATTENDED

    def test_missed_is_undone_too(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(TODAY, 9))
        http = sign_in(alice)

        marked = http.post(session_url(session, "missed/"), follow=True).content.decode()
        assert "Recorded as missed." in marked and "Undo: not missed" in marked

        http.post(session_url(session, "undo-attendance/"))
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED

    def test_the_second_missed_in_a_row_points_to_its_alert_instead(self, episode: Episode, alice: User) -> None:
        from iptcare.measures.models import Alert

        book(episode, at(dt.date(2026, 3, 24)), SessionStatus.MISSED)
        session = book(episode, at(TODAY, 9))
        http = sign_in(alice)

        marked = [str(m) for m in http.post(session_url(session, "missed/"), follow=True).context["messages"]]
        assert marked == ["Recorded as missed. Two sessions are missed in a row: the primary therapist has an alert."]

        alert = Alert.objects.get()
        confirmation = http.get(session_url(session, "undo-attendance/")).content.decode()
        assert "alert they raised is open" in confirmation
        assert f"/clients/{episode.client_id}/alerts/{alert.pk}/" in confirmation
        http.post(session_url(session, "undo-attendance/"))
        assert TherapySession.objects.get(pk=session.pk).status == SessionStatus.MISSED

    def test_the_sessions_page_offers_the_undo_until_a_note_is_written(
        self, episode: Episode, alice: User, draft
    ) -> None:
        noted = TherapySession.objects.get()
        attended = book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        missed = book(episode, at(dt.date(2026, 3, 24)), SessionStatus.MISSED)
        http = sign_in(alice)

        for session, offered in ((attended, "Undo: not attended"), (missed, "Undo: not missed")):
            page = http.get(session_url(session)).content.decode()
            assert f"{offered}</a>" in page
            assert (
                session_url(session, "undo-attendance/") + "?next=" + session_url(session).replace("/", "%2F") in page
            )
        assert "undo-attendance" not in http.get(session_url(noted)).content.decode()

    @pytest.mark.parametrize("persona", ["bob", "tom"])
    def test_only_the_care_team_undoes(self, episode: Episode, persona: str, request: pytest.FixtureRequest) -> None:
        session = book(episode, at(TODAY, 9), SessionStatus.ATTENDED)
        http = sign_in(request.getfixturevalue(persona))

        response = http.post(session_url(session, "undo-attendance/"))

        assert response.status_code == 404
        assert TherapySession.objects.get().status == SessionStatus.ATTENDED


class TestListLinksAndButtons:
    def test_each_date_links_to_the_sessions_page_and_rows_offer_the_undo(
        self, episode: Episode, alice: User, draft
    ) -> None:
        noted = TherapySession.objects.get()  # attended today, with a draft note
        attended = book(episode, at(dt.date(2026, 3, 17)), SessionStatus.ATTENDED)
        missed = book(episode, at(dt.date(2026, 3, 24)), SessionStatus.MISSED)

        page = sign_in(alice).get(list_url(episode)).content.decode()

        for session in (noted, attended, missed):
            assert f'<a href="{session_url(session)}">' + session.scheduled_start.strftime("%a") in page
        assert page.count("Undo: not attended") == 1
        assert session_url(attended, "undo-attendance/") in page
        assert session_url(missed, "undo-attendance/") in page
        assert session_url(noted, "undo-attendance/") not in page

    def test_the_contract_button_is_the_main_one_only_until_sessions_are_booked(
        self, episode: Episode, contract: Contract, alice: User
    ) -> None:
        http = sign_in(alice)
        generate = list_url(episode, "generate/")

        assert f'class="button primary" href="{generate}"' in http.get(list_url(episode)).content.decode()

        http.post(generate, {"time_of_day": "10:00"})  # 8 of the 12: the earlier dates are past
        page = http.get(list_url(episode)).content.decode()
        assert f'class="button" href="{generate}"' in page

        http.post(generate, {"time_of_day": "10:00", "include_past": "on"})  # the other 4
        page = http.get(list_url(episode)).content.decode()
        assert generate not in page
        assert "The contract's sessions are all scheduled." in page

    def test_the_day_links_each_time_and_offers_the_undo(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(TODAY, 9), SessionStatus.ATTENDED)

        page = sign_in(alice).get("/sessions/").content.decode()

        assert f'<a href="{session_url(session)}">09:00–09:50</a>' in page
        assert session_url(session, "undo-attendance/") + "?next=%2Fsessions%2F" in page


class TestDayAndWeek:
    @pytest.fixture
    def caseload(self, episode: Episode, alice: User, north, north_site) -> Callable[[int], list[TherapySession]]:
        """`count` sessions today, each with a different client of Alice's."""

        def make(count: int) -> list[TherapySession]:
            sessions = []
            for n in range(count):
                if n == 0:
                    ep = episode
                else:
                    client = make_client(north, north_site, primary=alice)
                    ep = do_open_episode(client, format_="individual", primary_therapist=alice, acting_user=alice)
                sessions.append(
                    book(ep, at(TODAY, 8 + n), SessionStatus.ATTENDED if n % 2 else SessionStatus.SCHEDULED)
                )
            return sessions

        return make

    def test_today_is_shown_by_default_with_identifier_name_number_and_note(
        self, caseload, alice: User, fern: Client
    ) -> None:
        caseload(2)

        response = sign_in(alice).get("/sessions/")

        page = response.content.decode()
        assert "My sessions today" in page
        assert "N-0001 · Fern Fairweather" in page
        assert "1/12" in page
        assert "Write the note" in page
        event = AuditEvent.objects.get(event_type=EventType.SESSIONS_VIEWED)
        assert fern.pk in event.extra["client_ids"]

    def test_another_day_has_links_back_and_forth_and_an_empty_state(self, caseload, alice: User) -> None:
        caseload(1)

        response = sign_in(alice).get("/sessions/", {"date": "2026-04-01"})

        page = response.content.decode()
        assert "No session on this day." in page
        assert "?date=2026-03-31" in page and "?date=2026-04-02" in page

    def test_a_date_that_is_not_one_shows_today(self, caseload, alice: User) -> None:
        response = sign_in(alice).get("/sessions/", {"date": "not-a-date"})

        assert response.context["day"] == TODAY

    def test_the_week_shows_each_day(self, caseload, alice: User) -> None:
        caseload(2)

        response = sign_in(alice).get("/sessions/week/", {"date": "2026-04-02"})

        page = response.content.decode()
        assert "Monday 2026-03-30" in page and "Sunday 2026-04-05" in page
        assert page.count("N-0001") == 1
        assert "?date=2026-03-23" in page and "?date=2026-04-06" in page

    def test_only_the_therapists_own_sessions_are_shown(self, caseload, cody: User) -> None:
        caseload(2)

        response = sign_in(cody).get("/sessions/")

        assert "No session on this day." in response.content.decode()

    @pytest.mark.parametrize("path", ["/sessions/", "/sessions/week/"])
    def test_the_queries_do_not_grow_with_the_sessions(
        self, caseload, alice: User, path: str, django_assert_num_queries
    ) -> None:
        http = sign_in(alice)
        http.get(path)
        caseload(2)
        two = queries_of(http, path)
        TherapySession.objects.all().delete()
        caseload(6)

        with django_assert_num_queries(two):
            response = http.get(path)
        assert len(response.context["sessions" if path == "/sessions/" else "days"]) in (6, 7)


def test_signing_in_is_needed(episode: Episode) -> None:
    response = HttpClient().get("/sessions/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

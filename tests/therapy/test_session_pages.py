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

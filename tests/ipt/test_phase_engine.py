"""The phase engine with recorded sessions: the session count drives the phase, the initial-phase deadline, the
termination prompt (from N−4) and its deadline (N−2), the suggested next status, and what the episode page and API
say (IPT-DOMAIN §1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.actions import do_change_episode_status
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import Episode
from iptcare.therapy.models import SessionStatus, TherapySession
from tests.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db


def hold(episode: Episode, count: int, *, status: str = SessionStatus.ATTENDED, weeks_ago: int = 20) -> None:
    """`count` weekly sessions in the past with the given status, stored directly."""
    first = timezone.now() - dt.timedelta(weeks=weeks_ago)
    for week in range(count):
        TherapySession.objects.create(
            episode=episode,
            therapist=episode.primary_therapist,
            scheduled_start=first + dt.timedelta(weeks=week),
            minutes=50,
            status=status,
            created_by=episode.primary_therapist,
            **({"cancelled_by": "client", "cancel_reason": "Ill."} if status == SessionStatus.CANCELLED else {}),
        )


def page(episode: Episode, user: User) -> str:
    return sign_in(user).get(f"/clients/{episode.client_id}/episodes/{episode.pk}/").content.decode()


class TestSessionCount:
    def test_without_sessions_the_calendar_estimates(self, episode: Episode) -> None:
        guidance = guidance_for(episode)
        assert (guidance.held, guidance.estimated_session, guidance.next_session) == (None, 1, 1)

    def test_held_sessions_count_and_cancelled_ones_do_not(self, episode: Episode) -> None:
        hold(episode, 2)
        hold(episode, 2, status=SessionStatus.CANCELLED, weeks_ago=10)
        guidance = guidance_for(episode)
        assert (guidance.held, guidance.next_session, guidance.sessions_left) == (2, 3, 10)
        assert guidance.next_session_phase == "Initial phase"
        # Two sessions of the three initial ones are held: not overdue yet.
        assert not guidance.overdue

    def test_the_initial_phase_is_overdue_once_its_last_session_is_held_with_tasks_open(
        self, episode: Episode, alice: User
    ) -> None:
        hold(episode, 3)
        guidance = guidance_for(episode)
        assert (guidance.overdue, guidance.next_session_phase) == (True, "Middle phase")
        assert "The initial phase should be complete by session 3" in page(episode, alice)

    def test_a_brief_course_reaches_its_middle_phase_after_two_sessions(self, fern, alice: User) -> None:
        from iptcare.ipt.actions import do_open_episode

        brief = do_open_episode(fern, format_="brief", primary_therapist=alice, acting_user=alice)
        hold(brief, 2)
        assert guidance_for(brief).next_session_phase == "Middle phase"


class TestTermination:
    def test_it_is_prompted_from_n_minus_4(self, episode: Episode, alice: User) -> None:
        do_change_episode_status(episode, "treatment", acting_user=alice, note="Tested elsewhere.")
        hold(episode, 6)
        assert not guidance_for(episode).termination.due
        hold(episode, 1, weeks_ago=12)
        termination = guidance_for(episode).termination
        assert (termination.due, termination.late, termination.prompt_from, termination.deadline) == (
            True,
            False,
            8,
            10,
        )
        assert "From session 8, raise the end of treatment" in page(episode, alice)

    def test_it_is_late_after_n_minus_2_and_the_page_records_it(self, episode: Episode, alice: User) -> None:
        do_change_episode_status(episode, "treatment", acting_user=alice, note="Tested elsewhere.")
        hold(episode, 10)
        assert guidance_for(episode).termination.late
        assert "Termination has not been raised, and session 10 is past" in page(episode, alice)
        # Ten held of twelve: the next session is in the termination phase, so closure is suggested.
        assert guidance_for(episode).suggested_status == "closure"
        response = sign_in(alice).post(
            f"/clients/{episode.client_id}/episodes/{episode.pk}/termination/",
            {"termination_raised_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 302
        episode.refresh_from_db()
        assert episode.termination_raised_on == timezone.localdate()
        assert not guidance_for(episode).termination.late
        assert AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, extra__changes__has_key="termination_raised_on"
        ).exists()

    def test_the_api_reports_the_phase_and_refuses_a_future_date(self, episode: Episode, alice: User) -> None:
        hold(episode, 8)
        http = HttpClient(**bearer(alice))
        url = f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}"
        body = http.get(url).json()
        assert (body["sessions_held"], body["next_session"], body["next_session_phase"]) == (8, 9, "Middle phase")
        assert body["termination"]["prompt"] is True
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = http.post(f"{url}/termination", json.dumps({"raised_on": tomorrow}), content_type="application/json")
        assert response.status_code == 422
        response = http.post(
            f"{url}/termination",
            json.dumps({"raised_on": timezone.localdate().isoformat()}),
            content_type="application/json",
        )
        assert response.json()["termination"]["raised_on"] == timezone.localdate().isoformat()

    def test_a_colleague_outside_the_team_cannot_record_it(self, episode: Episode, tom: User) -> None:
        response = sign_in(tom).post(
            f"/clients/{episode.client_id}/episodes/{episode.pk}/termination/",
            {"termination_raised_on": timezone.localdate().isoformat()},
        )
        assert response.status_code == 404
        episode.refresh_from_db()
        assert episode.termination_raised_on is None


def test_the_episode_page_takes_the_same_queries_with_2_or_10_sessions(episode: Episode, alice: User) -> None:
    http = sign_in(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(f"/clients/{episode.client_id}/episodes/{episode.pk}/").status_code == 200
        return len(captured)

    hold(episode, 2)
    few = count()
    hold(episode, 8, weeks_ago=10)
    assert count() == few


def test_the_session_note_shows_the_sessions_phase_and_the_termination_prompt(episode: Episode, alice: User) -> None:
    do_change_episode_status(episode, "treatment", acting_user=alice, note="Tested elsewhere.")
    hold(episode, 9)
    tenth = TherapySession.objects.filter(episode=episode).order_by("-scheduled_start").first()
    url = f"/clients/{episode.client_id}/episodes/{episode.pk}/sessions/{tenth.pk}/note/"
    html = sign_in(alice).get(url).content.decode()
    # The ninth held session of twelve is in the middle phase; the prompt from N−4 = 8 is on.
    assert "Middle phase" in html
    assert "Raise the end of treatment with the client; it is due by session 10." in html
    assert "Record that termination was raised on" in html


def test_a_maintenance_episode_is_never_overdue_for_an_initial_phase(fern, alice: User) -> None:
    from iptcare.ipt.actions import do_open_episode

    maintenance = do_open_episode(
        fern,
        format_="maintenance",
        primary_therapist=alice,
        acting_user=alice,
        start_date=timezone.localdate() - dt.timedelta(weeks=10),
    )
    assert not guidance_for(maintenance).overdue
    hold(maintenance, 2)
    assert not guidance_for(maintenance).overdue


class TestSafetyAlertBlocks:
    def test_a_positive_item_9_holds_the_episode_until_the_alert_is_closed(self, episode: Episode, alice: User) -> None:
        from django.core.exceptions import ValidationError

        from iptcare.measures.actions import do_record_administration

        do_record_administration(episode.client, "PHQ-9", {str(n): 1 for n in range(1, 10)}, acting_user=alice)
        with pytest.raises(ValidationError, match="safety alert is open"):
            do_change_episode_status(episode, "treatment", acting_user=alice, note="Moving on.")
        episode.refresh_from_db()
        assert episode.status == "assessment"
        # Every page of the episode shows the alert and the crisis line.
        for tail in ("", "assessment/", "formulation/", "sessions/"):
            html = sign_in(alice).get(f"/clients/{episode.client_id}/episodes/{episode.pk}/{tail}").content.decode()
            assert "needs a C-SSRS screener and a disposition" in html, tail
            assert "988" in html, tail
        # Ending the episode as dropped out stays possible: it records what happened.
        do_change_episode_status(episode, "dropped_out", acting_user=alice, note="Moved away.")
        assert Episode.objects.get().status == "dropped_out"


def test_before_the_first_session_the_page_says_so_and_counts_every_session_left(fern, alice: User) -> None:
    from iptcare.ipt.actions import do_open_episode

    planned = do_open_episode(
        fern,
        format_="brief",
        primary_therapist=alice,
        acting_user=alice,
        start_date=timezone.localdate() + dt.timedelta(days=5),
    )
    guidance = guidance_for(planned)
    assert (guidance.estimated_session, guidance.sessions_left) == (0, 8)
    assert "before the first of 8 sessions" in page(planned, alice)


def test_an_episode_moved_to_treatment_early_is_in_its_middle_phase(episode: Episode, alice: User) -> None:
    hold(episode, 1)
    do_change_episode_status(episode, "treatment", acting_user=alice, note="Formulation agreed early.")
    assert guidance_for(episode).next_session_phase == "Middle phase"


class TestOpeningHelps:
    def test_opening_an_episode_schedules_the_usual_questionnaires_once(self, episode: Episode, alice: User) -> None:
        from iptcare.measures.models import MeasureSchedule

        codes = sorted(MeasureSchedule.objects.filter(client=episode.client).values_list("instrument_code", flat=True))
        assert codes == ["AUDIT", "AUDIT", "DAST-10", "DAST-10", "GAD-7", "PHQ-9"]
        do_change_episode_status(episode, "dropped_out", acting_user=alice, note="Moved away.")
        from iptcare.ipt.actions import do_open_episode

        do_open_episode(episode.client, format_="brief", primary_therapist=alice, acting_user=alice)
        assert MeasureSchedule.objects.filter(client=episode.client).count() == 6

    def test_without_a_physician_on_the_team_the_medication_task_says_to_add_one(
        self, north, north_site, alice: User
    ) -> None:
        from iptcare.ipt.actions import do_open_episode
        from tests.conftest import make_client

        client = make_client(north, north_site, primary=alice)
        episode = do_open_episode(client, format_="individual", primary_therapist=alice, acting_user=alice)
        task = next(t for t in guidance_for(episode).tasks if t.key == "medication")
        assert (task.url_name, "add one" in task.label) == ("care_team", True)
        assert f"/clients/{client.pk}/care-team/" in page(episode, alice)

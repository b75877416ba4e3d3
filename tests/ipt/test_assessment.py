"""The assessment: history, substance histories, the diagnosis given, the physician's medication assessment,
and changing an open episode's therapist, length and start date — on the pages and through the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_update_episode
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import Assessment, Episode, EpisodeStatus, SubstanceHistory
from tests.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _url(episode: Episode, tail: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{tail}"


def _api(episode: Episode, tail: str = "") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}{tail}"


def api_as(user: User) -> HttpClient:
    return HttpClient(**bearer(user))


def _tasks(episode: Episode) -> dict[str, bool]:
    return {t.key: t.done for t in guidance_for(episode).tasks}


class TestDiagnosisAndMedication:
    def test_the_therapist_records_the_diagnosis_given_and_the_task_needs_a_phq9_too(
        self, episode: Episode, alice: User
    ) -> None:
        response = sign_in(alice).post(
            _url(episode, "assessment/"),
            {"mental_health_history": "Low mood for a year.", "diagnosis_explained_on": TODAY().isoformat()},
        )
        assert response.status_code == 302
        assert Assessment.objects.get().diagnosis_explained_on == TODAY()
        # Without a PHQ-9 there is no severity to explain yet.
        assert _tasks(episode)["diagnosis"] is False

    def test_only_a_physician_records_the_medication_assessment(self, episode: Episode, alice: User, pia: User) -> None:
        day = TODAY().isoformat()
        sign_in(alice).post(
            _url(episode, "assessment/"), {"medications": "Sertraline 50 mg", "medication_assessed_on": day}
        )
        assert not Assessment.objects.filter(medication_assessed_on__isnull=False).exists()
        sign_in(pia).post(
            _url(episode, "assessment/"), {"medications": "Sertraline 50 mg", "medication_assessed_on": day}
        )
        assessment = Assessment.objects.get()
        assert (assessment.medications, assessment.medication_assessed_by) == ("Sertraline 50 mg", pia)
        assert _tasks(episode)["medication"] is True
        page = sign_in(alice).get(_url(episode, "assessment/")).content.decode()
        assert f"Medication assessed on {day} by {pia}" in page

    def test_the_dates_are_neither_in_the_future_nor_long_before_the_episode(
        self, episode: Episode, alice: User
    ) -> None:
        http = sign_in(alice)
        for day in (TODAY() + dt.timedelta(days=1), episode.start_date - dt.timedelta(days=60)):
            response = http.post(_url(episode, "assessment/"), {"diagnosis_explained_on": day.isoformat()})
            assert response.status_code == 200
            assert response.context["form"].errors["diagnosis_explained_on"]
        assert not Assessment.objects.exists()


class TestSubstanceHistory:
    def test_the_age_at_first_use_is_not_above_the_clients_age(self, episode: Episode, alice: User) -> None:
        fern = episode.client
        age = TODAY().year - fern.date_of_birth.year
        response = sign_in(alice).post(
            _url(episode, "assessment/substances/"), {"substance": "alcohol", "age_at_first_use": age + 5}
        )
        assert not SubstanceHistory.objects.exists()
        messages = [str(m) for m in response.wsgi_request._messages]
        assert "cannot be higher" in " ".join(messages)

    def test_the_api_records_and_replaces_a_substance(self, episode: Episode, alice: User) -> None:
        http = api_as(alice)
        for age in (16, 15):
            response = http.put(
                _api(episode, "/assessment/substances"),
                json.dumps({"substance": "alcohol", "age_at_first_use": age, "route": "oral"}),
                content_type="application/json",
            )
            assert response.status_code == 200, response.content
        assert list(SubstanceHistory.objects.values_list("age_at_first_use", flat=True)) == [15]
        body = http.get(_api(episode, "/assessment")).json()
        assert body["substance_histories"][0]["substance_label"] == "Alcohol"
        assert (
            AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, extra__kind="substance_history").count()
            == 2
        )


class TestAssessmentApi:
    def test_it_patches_the_history_and_refuses_the_physicians_fields_to_a_therapist(
        self, episode: Episode, alice: User, pia: User
    ) -> None:
        http = api_as(alice)
        response = http.patch(
            _api(episode, "/assessment"),
            json.dumps({"strengths": "Loyal friend.", "medications": "None"}),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "medications" in response.json()["errors"]
        assert not Assessment.objects.exists()
        response = http.patch(
            _api(episode, "/assessment"), json.dumps({"strengths": "Loyal friend."}), content_type="application/json"
        )
        assert response.json()["strengths"] == "Loyal friend."
        response = api_as(pia).patch(
            _api(episode, "/assessment"),
            json.dumps({"medication_assessed_on": TODAY().isoformat()}),
            content_type="application/json",
        )
        assert response.json()["medication_assessed_by_id"] == pia.pk
        # The therapist's history is untouched by the physician's change.
        assert Assessment.objects.get().strengths == "Loyal friend."

    def test_a_future_diagnosis_date_is_refused(self, episode: Episode, alice: User) -> None:
        response = api_as(alice).patch(
            _api(episode, "/assessment"),
            json.dumps({"diagnosis_explained_on": (TODAY() + dt.timedelta(days=3)).isoformat()}),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert "diagnosis_explained_on" in response.json()["errors"]

    def test_another_organization_gets_404(self, episode: Episode, carol: User, tom: User) -> None:
        assert api_as(carol).get(_api(episode, "/assessment")).status_code == 404
        response = api_as(tom).patch(
            _api(episode, "/assessment"), json.dumps({"strengths": "x"}), content_type="application/json"
        )
        assert response.status_code == 404


class TestEditingTheEpisode:
    def test_a_planned_episode_moved_to_today_begins_its_assessment(self, fern: Client, alice: User) -> None:
        from iptcare.ipt.actions import do_open_episode

        episode = do_open_episode(
            fern,
            format_="brief",
            primary_therapist=alice,
            acting_user=alice,
            start_date=TODAY() + dt.timedelta(days=10),
        )
        assert episode.status == EpisodeStatus.PLANNED
        response = sign_in(alice).post(
            _url(episode, "edit/"),
            {"primary_therapist": alice.pk, "session_minutes": 45, "start_date": TODAY().isoformat()},
        )
        assert response.status_code == 302
        episode.refresh_from_db()
        assert (episode.start_date, episode.session_minutes, episode.status) == (TODAY(), 45, "assessment")
        change = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, extra__changes__has_key="start_date")
        assert change.exists()

    def test_an_episode_that_has_begun_is_not_moved_into_the_future(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(
            _url(episode, "edit/"),
            {
                "primary_therapist": alice.pk,
                "session_minutes": 50,
                "start_date": (TODAY() + dt.timedelta(days=7)).isoformat(),
            },
        )
        assert response.status_code == 200
        assert "cannot be in the future" in response.content.decode()
        episode.refresh_from_db()
        assert episode.start_date == TODAY()

    def test_the_api_changes_the_therapist_to_a_colleague_only(
        self, episode: Episode, alice: User, cody: User, carol: User
    ) -> None:
        http = api_as(alice)
        url = _api(episode)
        response = http.patch(url, json.dumps({"primary_therapist_id": carol.pk}), content_type="application/json")
        assert response.status_code == 422
        response = http.patch(url, json.dumps({"primary_therapist_id": cody.pk}), content_type="application/json")
        assert response.status_code == 200
        assert Episode.objects.get().primary_therapist == cody

    def test_a_closed_episode_is_not_changed(self, episode: Episode, alice: User) -> None:
        from iptcare.ipt.actions import do_change_episode_status

        do_change_episode_status(episode, "dropped_out", acting_user=alice, note="Stopped coming.")
        with pytest.raises(Exception, match="closed episode"):
            do_update_episode(episode, {"session_minutes": 30}, acting_user=alice)

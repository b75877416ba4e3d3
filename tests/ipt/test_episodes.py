"""Episodes of IPT: formats and session counts, one open episode per format, status, phase guidance."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.encryption.audit import open_changes
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import (
    Assessment,
    Contract,
    Episode,
    Formulation,
    Goal,
    InventoryEntry,
    ProblemArea,
    SubstanceHistory,
)
from iptcare.measures.actions import do_record_administration
from tests.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db


def open_episode(client: Client, user: User, **kwargs) -> Episode:
    return do_open_episode(
        client, format_=kwargs.pop("format_", "individual"), primary_therapist=user, acting_user=user, **kwargs
    )


class TestOpening:
    @pytest.mark.parametrize(
        ("format_", "sessions", "last_initial"),
        [("individual", 12, 3), ("brief", 8, 2), ("group", 8, 1), ("maintenance", 12, 0)],
    )
    def test_it_plans_the_formats_usual_sessions(
        self, fern: Client, alice: User, format_: str, sessions: int, last_initial: int
    ) -> None:
        episode = open_episode(fern, alice, format_=format_)
        assert (episode.planned_sessions, episode.initial_phase_last_session, episode.status) == (
            sessions,
            last_initial,
            "assessment",
        )
        assert episode.status_changes.get().status == "assessment"
        assert AuditEvent.objects.get(event_type=EventType.EPISODE_CHANGED).extra["opened"] == format_

    @pytest.mark.parametrize(("format_", "sessions"), [("individual", 11), ("individual", 17), ("brief", 12)])
    def test_it_refuses_a_session_count_outside_the_format(
        self, fern: Client, alice: User, format_: str, sessions: int
    ) -> None:
        with pytest.raises(ValidationError):
            open_episode(fern, alice, format_=format_, planned_sessions=sessions)
        assert not Episode.objects.exists()

    def test_it_allows_one_open_episode_per_format(self, fern: Client, alice: User) -> None:
        first = open_episode(fern, alice)
        with pytest.raises(ValidationError, match="already has an open episode"):
            open_episode(fern, alice)
        open_episode(fern, alice, format_="group")
        do_change_episode_status(first, "completed", acting_user=alice, note="Course finished.")
        assert open_episode(fern, alice).status == "assessment"

    def test_it_keeps_a_closed_episode_closed(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        do_change_episode_status(episode, "dropped_out", acting_user=alice, note="Stopped coming.")
        with pytest.raises(ValidationError):
            do_change_episode_status(episode, "treatment", acting_user=alice)
        assert [c.status for c in episode.status_changes.order_by("id")] == ["assessment", "dropped_out"]

    def test_it_attaches_questionnaires_to_the_open_episode(self, fern: Client, alice: User) -> None:
        before = do_record_administration(fern, "GAD-7", {str(n): 0 for n in range(1, 8)}, acting_user=alice)
        episode = open_episode(fern, alice)
        during = do_record_administration(fern, "GAD-7", {str(n): 1 for n in range(1, 8)}, acting_user=alice)
        assert (before.episode, during.episode) == (None, episode)


class TestGuidance:
    def test_it_ticks_off_the_initial_phase_as_the_work_is_done(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        assert [t.done for t in guidance_for(episode).tasks] == [False] * 10
        assessment = Assessment.objects.create(
            episode=episode, mental_health_history="Low mood since the divorce.", updated_by=alice
        )
        SubstanceHistory.objects.create(episode=episode, substance="alcohol", age_at_first_use=15)
        do_record_administration(fern, "PHQ-9", {str(n): 1 for n in range(1, 10)}, acting_user=alice)
        do_record_administration(fern, "AUDIT-C", {"1": 2, "2": 1, "3": 1}, acting_user=alice)
        sister = fern.people.get()
        InventoryEntry.objects.create(episode=episode, person=sister, ring=1, recorded_by=alice)
        formulation = Formulation.objects.create(
            episode=episode,
            text="Low mood and drinking since the divorce.",
            sick_role_given_on=timezone.localdate(),
            updated_by=alice,
        )
        area = ProblemArea.objects.create(
            formulation=formulation, kind="role_transition", rationale="Divorce last year."
        )
        done = {t.key: t.done for t in guidance_for(episode).tasks}
        # Fern has one person recorded, and she is in the inventory.
        assert done == {
            "history": True,
            "screening": True,
            "diagnosis": False,
            "medication": False,
            "inventory": True,
            "sick_role": True,
            "problem_area": True,
            "formulation": False,
            "goals": False,
            "contract": False,
        }
        assessment.diagnosis_explained_on = assessment.medication_assessed_on = timezone.localdate()
        assessment.save()
        Goal.objects.create(problem_area=area, description="Build a life after the divorce.", evidence_kind="behaviour")
        formulation.accepted_on = timezone.localdate()
        formulation.save()
        now = timezone.now()
        Contract.objects.create(
            episode=episode,
            sessions=12,
            session_minutes=50,
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + dt.timedelta(weeks=12),
            focus="Role transition",
            therapist_signature="Alice Ashby",
            therapist_signed_at=now,
            client_signature="Fern Fairweather",
            client_signed_at=now,
            updated_by=alice,
        )
        assert all(t.done for t in guidance_for(episode).tasks)

    def test_it_warns_when_the_initial_phase_runs_past_its_last_session(self, fern: Client, alice: User) -> None:
        start = timezone.localdate() - dt.timedelta(weeks=3)
        episode = open_episode(fern, alice, start_date=start)
        guidance = guidance_for(episode)
        # Weekly from three weeks ago: this is about session 4, past the initial phase (1–3) with tasks open.
        assert (guidance.estimated_session, guidance.overdue) == (4, True)
        assert not guidance_for(open_episode(fern, alice, format_="brief", start_date=timezone.localdate())).overdue

    def test_it_needs_three_people_in_the_inventory_when_there_are_three(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        for name in ("Mum", "Friend J."):
            Person.objects.create(client=fern, name=name, relationship_type="friend")
        InventoryEntry.objects.create(
            episode=episode, person=fern.people.get(name="Big sister"), ring=1, recorded_by=alice
        )
        assert not {t.key: t.done for t in guidance_for(episode).tasks}["inventory"]


class TestPages:
    def test_it_opens_an_episode_and_shows_where_it_stands(self, fern: Client, alice: User) -> None:
        http = sign_in(alice)
        response = http.post(
            f"/clients/{fern.pk}/episodes/new/",
            {
                "format": "brief",
                "primary_therapist": alice.pk,
                "session_minutes": "50",
                "start_date": timezone.localdate().isoformat(),
            },
        )
        episode = Episode.objects.get()
        assert response["Location"] == f"/clients/{fern.pk}/episodes/{episode.pk}/"
        page = http.get(response["Location"]).content.decode()
        assert "Initial phase (sessions 1–2)" in page
        assert "Treatment contract signed" in page
        assert AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED, client=fern).exists()

    def test_it_refuses_opening_to_a_supervisor_and_hides_episodes_from_other_organizations(
        self, fern: Client, alice: User, bob: User, carol: User
    ) -> None:
        episode = open_episode(fern, alice)
        assert sign_in(bob).get(f"/clients/{fern.pk}/episodes/{episode.pk}/").status_code == 200
        assert (
            sign_in(bob)
            .post(f"/clients/{fern.pk}/episodes/new/", {"format": "group", "primary_therapist": alice.pk})
            .status_code
            == 404
        )
        assert sign_in(carol).get(f"/clients/{fern.pk}/episodes/{episode.pk}/").status_code == 404
        assert Episode.objects.count() == 1

    def test_it_asks_why_an_episode_ends(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        http = sign_in(alice)
        http.post(f"/clients/{fern.pk}/episodes/{episode.pk}/status/", {"status": "dropped_out"})
        assert Episode.objects.get().status == "assessment"
        http.post(
            f"/clients/{fern.pk}/episodes/{episode.pk}/status/", {"status": "dropped_out", "note": "Stopped coming."}
        )
        assert Episode.objects.get().status == "dropped_out"

    def test_completing_goes_through_the_closure_not_the_status_form(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        sign_in(alice).post(
            f"/clients/{fern.pk}/episodes/{episode.pk}/status/", {"status": "completed", "note": "All sessions held."}
        )
        response = HttpClient(**bearer(alice)).post(
            f"/api/v1/ipt/clients/{fern.pk}/episodes/{episode.pk}/status",
            json.dumps({"status": "completed", "note": "All sessions held."}),
            content_type="application/json",
        )
        assert response.status_code == 422
        assert Episode.objects.get().status == "assessment"

    def test_it_keeps_medications_to_the_physician(self, fern: Client, alice: User, pia: User) -> None:
        episode = open_episode(fern, alice)
        url = f"/clients/{fern.pk}/episodes/{episode.pk}/assessment/"
        sign_in(alice).post(url, {"mental_health_history": "Depression since 2019.", "medications": "Sertraline 50 mg"})
        assessment = Assessment.objects.get()
        assert (assessment.mental_health_history, assessment.medications) == ("Depression since 2019.", "")
        sign_in(pia).post(url, {"mental_health_history": "Depression since 2019.", "medications": "Sertraline 50 mg"})
        assert Assessment.objects.get().medications == "Sertraline 50 mg"
        changes = (
            AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, extra__kind="assessment")
            .order_by("id")
            .last()
            .extra["changes"]
        )
        assert open_changes(changes) == {"medications": ["", "Sertraline 50 mg"]}

    def test_it_records_a_substance_history_and_refuses_a_future_last_use(self, fern: Client, alice: User) -> None:
        episode = open_episode(fern, alice)
        url = f"/clients/{fern.pk}/episodes/{episode.pk}/assessment/substances/"
        http = sign_in(alice)
        http.post(url, {"substance": "alcohol", "last_use": "2999-01-01", "overdoses": "0"})
        assert not SubstanceHistory.objects.exists()
        http.post(url, {"substance": "alcohol", "age_at_first_use": "14", "route": "oral", "overdoses": "1"})
        http.post(url, {"substance": "alcohol", "age_at_first_use": "15", "route": "oral", "overdoses": "1"})
        history = SubstanceHistory.objects.get()
        assert (history.age_at_first_use, history.overdoses) == (15, 1)


class TestApi:
    def test_it_opens_reads_and_moves_an_episode(self, fern: Client, alice: User) -> None:
        headers = bearer(alice)
        created = HttpClient().post(
            f"/api/v1/ipt/clients/{fern.pk}/episodes",
            json.dumps({"format": "individual", "primary_therapist_id": alice.pk, "planned_sessions": 16}),
            content_type="application/json",
            **headers,
        )
        assert created.status_code == 201
        body = created.json()
        assert (body["planned_sessions"], body["initial_phase_last_session"], len(body["tasks"])) == (16, 3, 10)
        moved = HttpClient().post(
            f"/api/v1/ipt/clients/{fern.pk}/episodes/{body['id']}/status",
            json.dumps({"status": "treatment", "note": "Contract agreed; signing next week."}),
            content_type="application/json",
            **headers,
        )
        assert moved.json()["status"] == "treatment"

    def test_it_refuses_bad_input_with_field_errors(self, fern: Client, alice: User, carol: User) -> None:
        bad = HttpClient().post(
            f"/api/v1/ipt/clients/{fern.pk}/episodes",
            json.dumps({"format": "brief", "primary_therapist_id": alice.pk, "planned_sessions": 14}),
            content_type="application/json",
            **bearer(alice),
        )
        assert bad.status_code == 422
        assert "planned_sessions" in bad.json()["errors"]
        assert HttpClient().get(f"/api/v1/ipt/clients/{fern.pk}/episodes", **bearer(carol)).status_code == 404


def test_it_dates_the_estimate_from_the_start(fern: Client, alice: User) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)):
        episode = open_episode(fern, alice, start_date=dt.date(2026, 3, 2))
    with time_machine.travel(dt.datetime(2026, 3, 16, 15, tzinfo=dt.UTC)):
        assert guidance_for(episode).estimated_session == 3


def test_it_shows_the_episode_page_in_the_same_number_of_queries_however_full_the_inventory(
    fern: Client, alice: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    episode = open_episode(fern, alice)
    http = sign_in(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(f"/clients/{fern.pk}/episodes/{episode.pk}/").status_code == 200
        return len(captured)

    InventoryEntry.objects.create(episode=episode, person=fern.people.get(), ring=2, recorded_by=alice)
    few = count()
    for number in range(6):
        person = Person.objects.create(client=fern, name=f"Friend {number}", relationship_type="friend")
        InventoryEntry.objects.create(episode=episode, person=person, ring=3, recorded_by=alice)
    assert count() == few


def test_it_says_when_the_initial_phase_is_complete(fern: Client, alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from iptcare.ipt import guidance

    episode = open_episode(fern, alice)
    assert not guidance_for(episode).ready_for_middle_phase
    done = [guidance.Task(t.key, t.label, True, t.url_name) for t in guidance.initial_phase_tasks(episode)]
    monkeypatch.setattr(guidance, "initial_phase_tasks", lambda _episode: done)
    assert guidance_for(episode).ready_for_middle_phase
    do_change_episode_status(episode, "treatment", acting_user=alice)
    assert not guidance_for(episode).ready_for_middle_phase


def test_it_asks_why_the_initial_phase_ends_with_tasks_open(fern: Client, alice: User) -> None:
    episode = open_episode(fern, alice)
    with pytest.raises(ValidationError, match="open tasks"):
        do_change_episode_status(episode, "treatment", acting_user=alice)
    assert Episode.objects.get().status == "assessment"
    do_change_episode_status(episode, "treatment", acting_user=alice, note="Client in crisis; formulation next week.")
    assert Episode.objects.get().status == "treatment"


def test_it_plans_an_episode_that_starts_later_and_refuses_one_too_far_ahead(fern: Client, alice: User) -> None:
    later = open_episode(fern, alice, start_date=timezone.localdate() + dt.timedelta(days=14))
    assert later.status == "planned"
    assert guidance_for(later).estimated_session == 0
    with pytest.raises(ValidationError, match="three months"):
        open_episode(fern, alice, format_="group", start_date=timezone.localdate() + dt.timedelta(days=200))


def test_it_counts_sessions_from_the_contracts_first_session(fern: Client, alice: User) -> None:
    episode = open_episode(fern, alice, start_date=timezone.localdate() - dt.timedelta(weeks=6))
    Contract.objects.create(
        episode=episode,
        sessions=12,
        session_minutes=50,
        frequency="fortnightly",
        start_date=timezone.localdate() - dt.timedelta(weeks=4),
        end_date=timezone.localdate() + dt.timedelta(weeks=20),
        focus="Grief",
        updated_by=alice,
    )
    # Fortnightly from four weeks ago: sessions 1, 2 and now 3.
    assert guidance_for(episode).estimated_session == 3

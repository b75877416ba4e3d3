"""Deleting a problem area (with its goals) or a goal: a confirmation page first, only by the care team, only
while the contract is not signed by both, and kept in the audit trail. The API's DELETE follows the same rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Person
from iptcare.ipt.actions_formulation import (
    do_add_goal,
    do_add_problem_area,
    do_delete_goal,
    do_delete_problem_area,
    do_save_contract,
    do_save_formulation,
    do_sign_contract,
)
from iptcare.ipt.models import Contract, DisputeStageChange, Episode, Formulation, Goal, ProblemArea
from tests.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def area(episode: Episode, alice: User, sister: Person) -> ProblemArea:
    return do_add_problem_area(
        episode,
        {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Rows with her."},
        acting_user=alice,
    )


@pytest.fixture
def goal(area: ProblemArea, alice: User) -> Goal:
    return do_add_goal(area, {"description": "Talk without shouting", "evidence_kind": "behaviour"}, acting_user=alice)


def url(episode: Episode, page: str = "formulation/") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{page}"


def api(episode: Episode, path: str) -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/{path}"


def delete(path: str, user: User) -> Any:
    return HttpClient().delete(path, **bearer(user))


def sign_contract(episode: Episode, user: User) -> Contract:
    contract = do_save_contract(
        episode,
        {
            "sessions": 12,
            "session_minutes": 50,
            "frequency": "weekly",
            "start_date": dt.date(2026, 4, 1),
            "end_date": dt.date(2026, 6, 17),
            "focus": "Role dispute with her sister.",
        },
        acting_user=user,
    )
    return do_sign_contract(
        contract, therapist_signature=user.full_name, client_signature="Fern Fairweather", acting_user=user
    )


def deletions(kind: str) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).order_by("id")
    return [e for e in events if e.extra.get("kind") == kind and e.extra.get("deleted")]


class TestDeletingAProblemArea:
    def test_it_asks_first_then_deletes_the_area_with_its_goals_and_stages(
        self, episode: Episode, alice: User, area: ProblemArea, goal: Goal
    ) -> None:
        http = sign_in(alice)
        page = http.get(url(episode)).content.decode()
        delete_url = url(episode, f"formulation/areas/{area.pk}/delete/")
        assert f'href="{delete_url}"' in page
        confirm = http.get(delete_url)
        assert confirm.status_code == 200
        html = confirm.content.decode()
        assert "Delete the problem area Role dispute?" in html
        assert "Talk without shouting" in html and "Delete the problem area</button>" in html
        assert ProblemArea.objects.exists()
        response = http.post(delete_url, follow=True)
        assert "Problem area deleted: Role dispute." in response.content.decode()
        assert not ProblemArea.objects.exists()
        assert not Goal.objects.exists() and not DisputeStageChange.objects.exists()
        [event] = deletions("problem_area")
        assert (event.actor, event.object_id) == (alice, str(area.pk))
        assert event.extra["changes"]["dispute_stage"] == ["impasse", None]
        assert event.extra["goals"] == ["Talk without shouting"]

    def test_it_clears_the_clients_acceptance_and_says_so_first(
        self, episode: Episode, alice: User, area: ProblemArea
    ) -> None:
        do_save_formulation(episode, {"text": "The rows.", "accepted_on": dt.date(2026, 3, 31)}, acting_user=alice)
        http = sign_in(alice)
        delete_url = url(episode, f"formulation/areas/{area.pk}/delete/")
        assert "Deleting the area clears that acceptance" in http.get(delete_url).content.decode()
        http.post(delete_url)
        assert Formulation.objects.get().accepted_on is None
        cleared = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).latest("id")
        assert (cleared.extra["kind"], cleared.extra["changes"]) == (
            "formulation",
            {"accepted_on": ["2026-03-31", None]},
        )

    def test_it_keeps_the_area_once_the_contract_is_signed(
        self, episode: Episode, alice: User, area: ProblemArea, goal: Goal
    ) -> None:
        sign_contract(episode, alice)
        http = sign_in(alice)
        page = http.get(url(episode)).content.decode()
        assert "/delete/" not in page
        assert "problem areas and goals are no longer deleted" in page
        delete_url = url(episode, f"formulation/areas/{area.pk}/delete/")
        confirm = http.get(delete_url).content.decode()
        assert "its focus no longer changes" in confirm and "</button>" not in confirm.split("<main")[-1]
        refused = http.post(delete_url)
        assert refused.status_code == 200
        assert "its focus no longer changes" in refused.content.decode()
        with pytest.raises(ValidationError, match="its focus no longer changes"):
            do_delete_problem_area(area, acting_user=alice)
        assert ProblemArea.objects.exists() and Goal.objects.exists()
        assert not deletions("problem_area")

    def test_it_lets_only_the_care_team_delete(
        self, episode: Episode, alice: User, bob: User, tom: User, carol: User, area: ProblemArea
    ) -> None:
        assert "/delete/" not in sign_in(bob).get(url(episode)).content.decode()
        delete_url = url(episode, f"formulation/areas/{area.pk}/delete/")
        for user in (bob, tom, carol):
            http = sign_in(user)
            assert http.get(delete_url).status_code == 404
            assert http.post(delete_url).status_code == 404
        assert ProblemArea.objects.exists()


class TestDeletingAGoal:
    def test_it_asks_first_then_deletes_the_goal(
        self, episode: Episode, alice: User, area: ProblemArea, goal: Goal
    ) -> None:
        other = do_add_goal(area, {"description": "Ask for help", "evidence_kind": "behaviour"}, acting_user=alice)
        http = sign_in(alice)
        delete_url = url(episode, f"goals/{goal.pk}/delete/")
        assert f'href="{delete_url}"' in http.get(url(episode)).content.decode()
        confirm = http.get(delete_url).content.decode()
        assert "Delete the goal?" in confirm and "Talk without shouting" in confirm
        assert http.post(delete_url).status_code == 302
        assert list(Goal.objects.all()) == [other]
        [event] = deletions("goal")
        assert event.extra["changes"]["description"] == ["Talk without shouting", None]

    def test_it_keeps_the_goal_once_the_contract_is_signed(
        self, episode: Episode, alice: User, bob: User, carol: User, goal: Goal
    ) -> None:
        sign_contract(episode, alice)
        delete_url = url(episode, f"goals/{goal.pk}/delete/")
        http = sign_in(alice)
        assert "Change the goal" in http.get(delete_url).content.decode()
        assert "Change the goal" in http.post(delete_url).content.decode()
        with pytest.raises(ValidationError):
            do_delete_goal(goal, acting_user=alice)
        for user in (bob, carol):
            assert sign_in(user).post(delete_url).status_code == 404
        assert Goal.objects.exists()


class TestDeletingThroughTheApi:
    def test_it_deletes_a_goal_and_an_area_with_204(
        self, episode: Episode, alice: User, area: ProblemArea, goal: Goal
    ) -> None:
        assert delete(api(episode, f"goals/{goal.pk}"), alice).status_code == 204
        assert not Goal.objects.exists()
        assert delete(api(episode, f"formulation/areas/{area.pk}"), alice).status_code == 204
        assert not ProblemArea.objects.exists()
        assert [len(deletions("goal")), len(deletions("problem_area"))] == [1, 1]
        assert delete(api(episode, f"formulation/areas/{area.pk}"), alice).status_code == 404

    def test_it_answers_422_once_signed_and_404_to_others(
        self, episode: Episode, alice: User, bob: User, carol: User, area: ProblemArea, goal: Goal
    ) -> None:
        for user in (bob, carol):
            assert delete(api(episode, f"goals/{goal.pk}"), user).status_code == 404
            assert delete(api(episode, f"formulation/areas/{area.pk}"), user).status_code == 404
        sign_contract(episode, alice)
        refused = delete(api(episode, f"formulation/areas/{area.pk}"), alice)
        assert refused.status_code == 422
        assert "its focus no longer changes" in refused.json()["errors"]["__all__"][0]
        assert delete(api(episode, f"goals/{goal.pk}"), alice).status_code == 422
        assert ProblemArea.objects.exists() and Goal.objects.exists()

"""/api/v1/plans/: reading a plan and its versions, starting and writing a draft, finalising, suggestions, the
closure; a finalised version cannot be changed through the API; the same access rules and audit as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Episode
from iptcare.plans.models import RelapsePreventionPlan
from tests.conftest import bearer

pytestmark = pytest.mark.django_db

TRIGGER = {"category": "feelings", "description": "Lonely Sunday evenings", "coping": "Call my sister."}


def api(episode: Episode, suffix: str) -> str:
    return f"/api/v1/plans/clients/{episode.client_id}/episodes/{episode.pk}/{suffix}"


def call(method: str, path: str, user: User, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(bearer(user))
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(HttpClient(), method.lower())(path, **kwargs)


def started(episode: Episode, user: User, kind: str = "relapse-prevention") -> dict[str, Any]:
    response = call("POST", api(episode, f"{kind}/versions"), user)
    assert response.status_code == 201, response.content
    return response.json()


def with_trigger(content: dict[str, Any]) -> dict[str, Any]:
    return content | {"triggers": [TRIGGER]}


class TestPlans:
    def test_it_starts_writes_and_finalises_a_version(self, episode: Episode, alice: User) -> None:
        empty = call("GET", api(episode, "relapse-prevention"), alice).json()
        assert (empty["total_versions"], empty["draft"], empty["latest_final"]) == (0, None, None)
        version = started(episode, alice)
        assert (version["version"], version["status"]) == (1, "draft")
        assert version["content"]["crisis_lines"][0]["phone"] == "Call or text 988"
        written = call(
            "PUT", api(episode, "relapse-prevention/versions/1"), alice, {"content": with_trigger(version["content"])}
        )
        assert written.status_code == 200, written.content
        assert written.json()["content"]["triggers"][0]["description"] == "Lonely Sunday evenings"
        final = call("POST", api(episode, "relapse-prevention/versions/1/finalise"), alice)
        assert final.status_code == 200
        assert final.json()["status"] == "final"
        assert final.json()["summary"].startswith("Version 1 of 1, finalised")
        overview = call("GET", api(episode, "relapse-prevention"), alice).json()
        assert overview["latest_final"]["version"] == 1
        assert [v["version"] for v in call("GET", api(episode, "relapse-prevention/versions"), alice).json()] == [1]

    def test_a_final_version_cannot_be_changed_through_the_api(self, episode: Episode, alice: User) -> None:
        content = started(episode, alice)["content"]
        call("PUT", api(episode, "relapse-prevention/versions/1"), alice, {"content": with_trigger(content)})
        call("POST", api(episode, "relapse-prevention/versions/1/finalise"), alice)
        changed = call(
            "PUT",
            api(episode, "relapse-prevention/versions/1"),
            alice,
            {"content": with_trigger(content) | {"reasons": ["Changed afterwards"]}},
        )
        assert changed.status_code == 409
        assert "final" in changed.json()["detail"]
        assert call("POST", api(episode, "relapse-prevention/versions/1/finalise"), alice).status_code == 409
        assert RelapsePreventionPlan.objects.get().parsed().reasons == []
        # The next version starts as a copy, and that one can be written.
        second = started(episode, alice)
        assert second["copied_from_version"] == 1
        assert second["content"]["triggers"] == [TRIGGER | {"source": ""}]

    def test_it_answers_422_with_the_problems_by_section(self, episode: Episode, alice: User) -> None:
        content = started(episode, alice)["content"]
        bad = call(
            "PUT",
            api(episode, "relapse-prevention/versions/1"),
            alice,
            {"content": content | {"triggers": [{"category": "weather", "description": "Rain"}], "colour": "red"}},
        )
        assert bad.status_code == 422
        assert set(bad.json()["errors"]) == {"triggers", "colour"}
        unfinished = call("POST", api(episode, "relapse-prevention/versions/1/finalise"), alice)
        assert unfinished.status_code == 422
        assert "empty" in json.dumps(unfinished.json()["errors"])

    def test_a_second_draft_is_refused(self, episode: Episode, alice: User) -> None:
        started(episode, alice)
        assert call("POST", api(episode, "relapse-prevention/versions"), alice).status_code == 422

    def test_it_lists_the_suggestions_of_the_draft(self, episode: Episode, alice: User, sister: Any) -> None:
        started(episode, alice, "safety-plan")
        found = call("GET", api(episode, "safety-plan/suggestions"), alice).json()
        assert found["sections"]["help_contacts"][0]["item"]["phone"] == "555 010 1234"

    def test_readers_read_writers_write_and_others_get_404(
        self, episode: Episode, alice: User, bob: User, pia: User, tom: User, carol: User
    ) -> None:
        started(episode, alice)
        assert call("GET", api(episode, "relapse-prevention/versions/1"), bob).status_code == 200
        assert call("GET", api(episode, "relapse-prevention"), pia).status_code == 200
        assert call("POST", api(episode, "relapse-prevention/versions/1/finalise"), bob).status_code == 404
        for stranger in (tom, carol):
            assert call("GET", api(episode, "relapse-prevention"), stranger).status_code == 404
            assert call("GET", api(episode, "closure"), stranger).status_code == 404
            assert (
                call("PUT", api(episode, "relapse-prevention/versions/1"), stranger, {"content": {}}).status_code == 404
            )

    def test_reads_and_changes_are_audited(self, episode: Episode, alice: User) -> None:
        started(episode, alice)
        call("GET", api(episode, "relapse-prevention/versions/1"), alice)
        assert AuditEvent.objects.filter(event_type=EventType.PLAN_VIEWED, extra__view="api").count() == 1
        changed = AuditEvent.objects.get(event_type=EventType.PLAN_CHANGED)
        assert changed.channel == "api"


class TestClosure:
    def test_it_records_a_closure_that_completes_the_episode(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        before = call("GET", api(episode, "closure"), alice).json()
        assert (before["closure"], before["non_responder"], before["has_final_relapse_plan"]) == (None, None, False)
        reviews = [{"goal_id": goal.pk, "status": "met"} for goal in record["goals"]]
        refused = call("PUT", api(episode, "closure"), alice, {"decision": "completed", "goal_reviews": reviews})
        assert refused.status_code == 422
        assert "no_plan_reason" in refused.json()["errors"]
        body = {
            "decision": "completed",
            "goal_reviews": reviews,
            "no_plan_reason": "Left the area.",
            "booster_dates": ["2030-01-04"],
        }
        recorded = call("PUT", api(episode, "closure"), alice, body)
        assert recorded.status_code == 200, recorded.content
        assert recorded.json()["episode_status"] == "completed"
        assert recorded.json()["closure"]["booster_dates"] == ["2030-01-04"]
        assert {g["status"] for g in recorded.json()["goals"]} == {"met"}
        again = call("PUT", api(episode, "closure"), alice, body | {"decision": "refer", "referral_to": "x"})
        assert again.status_code == 422

    def test_a_supervisor_reads_the_closure_but_does_not_record_it(
        self, episode: Episode, alice: User, bob: User
    ) -> None:
        assert call("GET", api(episode, "closure"), bob).status_code == 200
        body = {"decision": "completed", "no_plan_reason": "x"}
        assert call("PUT", api(episode, "closure"), bob, body).status_code == 404

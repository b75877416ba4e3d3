"""The stage of a role dispute and its history: each stage is kept with the date it began, who recorded it and an
optional note; the formulation page shows the history and offers a small form to change the stage."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Person
from iptcare.ipt.actions_formulation import (
    do_add_goal,
    do_add_problem_area,
    do_change_dispute_stage,
    do_update_problem_area,
)
from iptcare.ipt.models import DisputeStageChange, Episode, ProblemArea
from tests.conftest import bearer, sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def started(episode: Episode) -> Episode:
    """Fern's episode, begun on 3 March."""
    Episode.objects.filter(pk=episode.pk).update(start_date=dt.date(2026, 3, 3))
    episode.refresh_from_db()
    return episode


def url(episode: Episode, page: str = "formulation/") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{page}"


def api(episode: Episode, path: str) -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/{path}"


def call(method: str, path: str, user: User, body: dict | None = None) -> Any:
    http = HttpClient()
    if body is None:
        return getattr(http, method.lower())(path, **bearer(user))
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **bearer(user))


def dispute(
    episode: Episode, user: User, sister: Person, stage: str = "impasse", on: str = "2026-03-10"
) -> ProblemArea:
    with time_machine.travel(dt.datetime.fromisoformat(on + "T12:00+00:00"), tick=False):
        return do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": stage, "dispute_with": sister, "rationale": "Rows."},
            acting_user=user,
        )


def stage_data(stage: str, changed_on: str, note: str = "") -> dict[str, str]:
    return {"stage-stage": stage, "stage-changed_on": changed_on, "stage-note": note}


def history(area: ProblemArea) -> list[tuple[str, dt.date]]:
    return [(c.stage, c.changed_on) for c in area.stage_changes.order_by("changed_on", "id")]


class TestStageHistory:
    def test_it_keeps_the_first_stage_with_its_date_and_who_recorded_it(
        self, started: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister)
        [first] = area.stage_changes.all()
        assert (first.stage, first.changed_on, first.recorded_by, first.note) == (
            "impasse",
            dt.date(2026, 3, 10),
            alice,
            "",
        )
        assert "Impasse from 2026-03-10" in sign_in(alice).get(url(started)).content.decode()

    def test_it_changes_the_stage_from_the_formulation_page_and_shows_the_history(
        self, started: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister, stage="renegotiation", on="2026-03-03")
        http = sign_in(alice)
        page = http.get(url(started))
        stage_form = page.context["areas"][0].stage_form
        assert stage_form["changed_on"].value() == dt.date(2026, 3, 31)
        assert 'action="' + url(started, f"formulation/areas/{area.pk}/stage/") + '"' in page.content.decode()
        note = "Stopped speaking after the row about the rent."
        response = http.post(
            url(started, f"formulation/areas/{area.pk}/stage/"), stage_data("impasse", "2026-03-17", note)
        )
        assert response.status_code == 302
        area.refresh_from_db()
        assert area.dispute_stage == "impasse"
        assert history(area) == [("renegotiation", dt.date(2026, 3, 3)), ("impasse", dt.date(2026, 3, 17))]
        latest = area.stage_changes.get(stage="impasse")
        assert (latest.note, latest.recorded_by) == (note, alice)
        html = http.get(url(started)).content.decode()
        assert "Renegotiation from 2026-03-03</span> → <span>Impasse from 2026-03-17" in html
        assert note in html and "Stage: Impasse" in html
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).latest("id")
        assert event.extra["changes"] == {"dispute_stage": ["renegotiation", "impasse"]}
        assert event.extra["stage_changed_on"] == "2026-03-17"

    def test_it_keeps_a_stage_changed_on_the_area_form_as_of_today(
        self, started: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister)
        do_update_problem_area(area, {"dispute_stage": "dissolution"}, acting_user=alice)
        do_update_problem_area(area, {"rationale": "Rows about money."}, acting_user=alice)
        assert history(area) == [("impasse", dt.date(2026, 3, 10)), ("dissolution", dt.date(2026, 3, 31))]

    @pytest.mark.parametrize(
        ("stage", "changed_on", "field", "message"),
        [
            ("renegotiation", "2026-04-01", "changed_on", "cannot be in the future"),
            ("renegotiation", "2026-03-02", "changed_on", "this episode, which began on 2026-03-03"),
            ("renegotiation", "2026-03-09", "changed_on", "at the current stage since 2026-03-10"),
            ("impasse", "2026-03-20", "stage", "at this stage already"),
            ("", "2026-03-20", "stage", "required"),
        ],
    )
    def test_it_refuses_an_implausible_change_next_to_its_field(
        self, started: Episode, alice: User, sister: Person, stage: str, changed_on: str, field: str, message: str
    ) -> None:
        area = dispute(started, alice, sister)
        response = sign_in(alice).post(
            url(started, f"formulation/areas/{area.pk}/stage/"), stage_data(stage, changed_on)
        )
        assert response.status_code == 200
        assert message in " ".join(response.context["form"].errors[field])
        area.refresh_from_db()
        assert (area.dispute_stage, area.stage_changes.count()) == ("impasse", 1)

    def test_it_refuses_a_stage_for_another_kind_of_area(self, started: Episode, alice: User) -> None:
        area = do_add_problem_area(
            started,
            {"kind": "role_transition", "old_role": "a", "new_role": "b", "rationale": "Job."},
            acting_user=alice,
        )
        with pytest.raises(ValidationError, match="Only a role dispute has a stage"):
            do_change_dispute_stage(area, stage="impasse", changed_on=dt.date(2026, 3, 20), acting_user=alice)
        http = sign_in(alice)
        response = http.post(url(started, f"formulation/areas/{area.pk}/stage/"), stage_data("impasse", "2026-03-20"))
        assert response.status_code == 302
        assert "stage_form" not in vars(http.get(url(started)).context["areas"][0])
        assert not DisputeStageChange.objects.exists()

    def test_it_lets_only_the_care_team_change_the_stage(
        self, started: Episode, alice: User, bob: User, carol: User, tom: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister)
        page = sign_in(bob).get(url(started))
        assert "Impasse from 2026-03-10" in page.content.decode()
        assert "Change the stage of the dispute" not in page.content.decode()
        for user in (bob, tom, carol):
            http = sign_in(user)
            stage_url = url(started, f"formulation/areas/{area.pk}/stage/")
            assert http.get(stage_url).status_code == 404
            assert http.post(stage_url, stage_data("renegotiation", "2026-03-20")).status_code == 404
        assert history(area) == [("impasse", dt.date(2026, 3, 10))]

    def test_it_shows_the_history_in_a_fixed_number_of_queries(
        self, started: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister, on="2026-03-03")
        http = sign_in(alice)
        with CaptureQueriesContext(connection) as one_stage:
            http.get(url(started))
        for stage, day in (("renegotiation", 10), ("impasse", 17), ("dissolution", 24)):
            do_change_dispute_stage(
                area, stage=stage, changed_on=dt.date(2026, 3, day), note=f"Note {day}", acting_user=alice
            )
        grief = do_add_problem_area(
            started, {"kind": "grief", "deceased": sister, "rationale": "Her sister died."}, acting_user=alice
        )
        do_add_goal(grief, {"description": "Mourn", "evidence_kind": "behaviour"}, acting_user=alice)
        with CaptureQueriesContext(connection) as four_stages:
            response = http.get(url(started))
        assert "Dissolution from 2026-03-24" in response.content.decode()
        assert len(four_stages) == len(one_stage)


class TestStageApi:
    def test_it_changes_the_stage_and_answers_the_area_with_its_history(
        self, started: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister)
        path = api(started, f"formulation/areas/{area.pk}/stage-changes")
        changed = call("POST", path, alice, {"stage": "renegotiation", "changed_on": "2026-03-24", "note": "Talking."})
        assert changed.status_code == 201
        body = changed.json()
        assert body["dispute_stage"] == "renegotiation"
        assert [(c["stage"], c["changed_on"], c["note"], c["recorded_by_id"]) for c in body["stage_changes"]] == [
            ("impasse", "2026-03-10", "", alice.pk),
            ("renegotiation", "2026-03-24", "Talking.", alice.pk),
        ]
        today = call("POST", path, alice, {"stage": "dissolution"})
        assert today.json()["stage_changes"][-1]["changed_on"] == "2026-03-31"
        read = call("GET", api(started, "formulation"), alice).json()
        assert [c["stage"] for c in read["problem_areas"][0]["stage_changes"]] == [
            "impasse",
            "renegotiation",
            "dissolution",
        ]

    def test_it_answers_422_to_a_broken_rule_and_404_to_others(
        self, started: Episode, alice: User, bob: User, carol: User, sister: Person
    ) -> None:
        area = dispute(started, alice, sister)
        path = api(started, f"formulation/areas/{area.pk}/stage-changes")
        early = call("POST", path, alice, {"stage": "renegotiation", "changed_on": "2026-03-01"})
        assert early.status_code == 422
        assert "began on 2026-03-03" in early.json()["errors"]["changed_on"][0]
        same = call("POST", path, alice, {"stage": "impasse"})
        assert same.json()["errors"]["stage"] == ["The dispute is at this stage already."]
        unknown = call("POST", path, alice, {"stage": "truce"})
        assert unknown.status_code == 422 and "stage" in unknown.json()["errors"]
        assert call("POST", path, bob, {"stage": "renegotiation"}).status_code == 404
        assert call("POST", path, carol, {"stage": "renegotiation"}).status_code == 404
        assert history(area) == [("impasse", dt.date(2026, 3, 10))]

"""/api/v1/ipt/…/formulation: the formulation, problem areas and goals, with the same rules as the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client as HttpClient

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Person
from iptcare.ipt.models import Episode, Formulation, Goal, InventoryEntry, ProblemArea
from tests.conftest import bearer, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def api(episode: Episode, path: str = "formulation") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/{path}"


def call(method: str, path: str, user: User, body: dict | None = None):
    http = HttpClient()
    if body is None:
        return getattr(http, method.lower())(path, **bearer(user))
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **bearer(user))


TRANSITION = {
    "kind": "role_transition",
    "old_role": "Working at the depot",
    "new_role": "Out of work",
    "rationale": "Low mood and drinking since the job went.",
}


def test_it_writes_and_reads_the_formulation_areas_and_goals(episode: Episode, alice: User, sister: Person) -> None:
    Episode.objects.filter(pk=episode.pk).update(start_date=dt.date(2026, 3, 17))
    empty = call("GET", api(episode), alice)
    assert empty.status_code == 200
    assert empty.json() | {"problem_areas": []} == {
        "id": None,
        "text": "",
        "sick_role_given_on": None,
        "accepted_on": None,
        "declined_reason": "",
        "is_accepted": False,
        "updated_at": None,
        "problem_areas": [],
    }
    saved = call(
        "PUT",
        api(episode),
        alice,
        {"text": "Since the rows with your sister, you drink more.", "sick_role_given_on": "2026-03-24"},
    )
    assert saved.status_code == 200
    assert saved.json()["sick_role_given_on"] == "2026-03-24"
    entry = InventoryEntry.objects.create(episode=episode, person=sister, ring=3, recorded_by=alice)
    area = call(
        "POST",
        api(episode, "formulation/areas"),
        alice,
        {
            "kind": "role_dispute",
            "dispute_stage": "impasse",
            "dispute_with_id": sister.pk,
            "rationale": "Drinks after each row.",
            "inventory_entry_ids": [entry.pk],
        },
    )
    assert area.status_code == 201
    area_id = area.json()["id"]
    assert (area.json()["dispute_with_id"], area.json()["inventory_entry_ids"]) == (sister.pk, [entry.pk])
    staged = call("PATCH", api(episode, f"formulation/areas/{area_id}"), alice, {"dispute_stage": "renegotiation"})
    assert staged.status_code == 200
    assert (staged.json()["dispute_stage"], staged.json()["inventory_entry_ids"]) == ("renegotiation", [entry.pk])
    goal = call(
        "POST",
        api(episode, f"formulation/areas/{area_id}/goals"),
        alice,
        {"description": "Ask for help without a row", "evidence_kind": "dispute_stage"},
    )
    assert goal.status_code == 201
    met = call("PATCH", api(episode, f"goals/{goal.json()['id']}"), alice, {"status": "met"})
    assert (met.status_code, met.json()["status"]) == (200, "met")
    accepted = call("PUT", api(episode), alice, {"text": "Agreed wording.", "accepted_on": "2026-03-31"})
    assert accepted.json()["is_accepted"] is True
    body = call("GET", api(episode), alice).json()
    assert [a["kind"] for a in body["problem_areas"]] == ["role_dispute"]
    assert [(g["description"], g["status"]) for g in body["problem_areas"][0]["goals"]] == [
        ("Ask for help without a row", "met")
    ]
    formulation = Formulation.objects.get()
    # PUT replaces every field: the sick-role date left out of the second PUT is cleared.
    assert (formulation.text, formulation.sick_role_given_on) == ("Agreed wording.", None)
    stage_events = [
        e.extra["changes"]["dispute_stage"]
        for e in AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED)
        if e.extra.get("kind") == "problem_area"
    ]
    assert ["impasse", "renegotiation"] in stage_events
    assert AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED, actor=alice).count() == 2


def test_it_refuses_a_third_problem_area_with_422(episode: Episode, alice: User, sister: Person) -> None:
    call("POST", api(episode, "formulation/areas"), alice, TRANSITION)
    grief = {"kind": "grief", "deceased_id": sister.pk, "rationale": "Her sister died."}
    assert call("POST", api(episode, "formulation/areas"), alice, grief).status_code == 201
    third = call(
        "POST",
        api(episode, "formulation/areas"),
        alice,
        {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with_id": sister.pk, "rationale": "Rows."},
    )
    assert third.status_code == 422
    assert "at most two" in third.json()["errors"]["__all__"][0]
    assert ProblemArea.objects.count() == 2


def test_it_names_the_field_of_each_broken_rule(
    episode: Episode, alice: User, north: Organization, north_site: Site
) -> None:
    deficits = call(
        "POST", api(episode, "formulation/areas"), alice, {"kind": "interpersonal_deficits", "rationale": "Alone."}
    )
    assert deficits.status_code == 422
    assert "none of the other three" in deficits.json()["errors"]["why_not_other_areas"][0]
    stranger = Person.objects.create(
        client=make_client(north, north_site), name="Neighbour", relationship_type="friend"
    )
    foreign = call(
        "POST",
        api(episode, "formulation/areas"),
        alice,
        {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with_id": stranger.pk, "rationale": "Rows."},
    )
    assert foreign.status_code == 422
    assert "dispute_with_id" in foreign.json()["errors"]
    staged_grief = call("POST", api(episode, "formulation/areas"), alice, TRANSITION | {"dispute_stage": "impasse"})
    assert staged_grief.json()["errors"]["dispute_stage"] == ["Only a role dispute has a stage."]
    both = call("PUT", api(episode), alice, {"accepted_on": "2026-03-31", "declined_reason": "No."})
    assert both.status_code == 422
    assert "declined_reason" in both.json()["errors"]
    unknown = call("PUT", api(episode), alice, {"txt": "typo"})
    assert unknown.status_code == 422
    assert not ProblemArea.objects.exists() and not Formulation.objects.exists()


def test_it_lets_a_supervisor_read_but_answers_404_to_his_writes(
    episode: Episode, alice: User, bob: User, sister: Person
) -> None:
    area_id = call("POST", api(episode, "formulation/areas"), alice, TRANSITION).json()["id"]
    goal_id = call(
        "POST",
        api(episode, f"formulation/areas/{area_id}/goals"),
        alice,
        {"description": "x", "evidence_kind": "behaviour"},
    ).json()["id"]
    assert call("GET", api(episode), bob).status_code == 200
    assert call("PUT", api(episode), bob, {"text": "Bob's"}).status_code == 404
    assert call("POST", api(episode, "formulation/areas"), bob, {"kind": "grief", "rationale": "x"}).status_code == 404
    assert call("PATCH", api(episode, f"formulation/areas/{area_id}"), bob, {"rationale": "y"}).status_code == 404
    assert call("PATCH", api(episode, f"goals/{goal_id}"), bob, {"status": "met"}).status_code == 404
    assert Goal.objects.get().status == "open"


def test_it_answers_404_to_another_organization_and_to_unknown_ids(episode: Episode, alice: User, carol: User) -> None:
    area_id = call("POST", api(episode, "formulation/areas"), alice, TRANSITION).json()["id"]
    assert call("GET", api(episode), carol).status_code == 404
    assert call("PATCH", api(episode, f"formulation/areas/{area_id}"), carol, {"rationale": "y"}).status_code == 404
    assert call("PATCH", api(episode, "formulation/areas/999999"), alice, {"rationale": "y"}).status_code == 404
    assert call("PATCH", api(episode, "goals/999999"), alice, {"status": "met"}).status_code == 404

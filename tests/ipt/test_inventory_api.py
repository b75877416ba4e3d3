"""/api/v1/ipt/clients/{id}/episodes/{id}/inventory: the same rules and audit trail as the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Person
from iptcare.ipt.actions_inventory import do_record_inventory_entry
from iptcare.ipt.models import Episode, InventoryEntry
from tests.conftest import bearer, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def api(episode: Episode, rest: str = "") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/inventory{rest}"


def call(method: str, path: str, user: User, body: dict | None = None):
    http = HttpClient()
    kwargs = bearer(user)
    if body is None:
        return getattr(http, method.lower())(path, **kwargs)
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **kwargs)


def record(episode: Episode, person: Person, ring: int, day: int, user: User, **fields: Any) -> InventoryEntry:
    data = {"ring": ring, "recorded_on": dt.date(2026, 3, day), **fields}
    return do_record_inventory_entry(episode, person, data, acting_user=user)


class TestHappyPath:
    def test_it_records_reads_and_corrects_entries(self, episode: Episode, sister: Person, alice: User) -> None:
        created = call(
            "POST",
            api(episode),
            alice,
            {"person_id": sister.pk, "recorded_on": "2026-03-02", "ring": 2, "supports_recovery": True},
        )
        assert created.status_code == 201, created.json()
        body = created.json()
        assert (body["person"]["name"], body["ring"], body["tone"], body["recorded_by"]["email"]) == (
            "Big sister",
            2,
            "support",
            "alice@north.test",
        )
        # Today by default, and a later entry keeps the earlier one.
        later = call("POST", api(episode), alice, {"person_id": sister.pk, "ring": 1, "conflict_pattern": "Rows"})
        assert (later.status_code, later.json()["recorded_on"], later.json()["tone"]) == (201, "2026-03-31", "conflict")
        assert InventoryEntry.objects.count() == 2

        listing = call("GET", api(episode), alice).json()
        assert [(e["ring"], e["recorded_on"]) for e in listing["current"]] == [(1, "2026-03-31")]
        assert [e["recorded_on"] for e in listing["history"]] == ["2026-03-31", "2026-03-02"]
        assert listing["ring_changes"] == [{"person_id": sister.pk, "old_ring": 2, "new_ring": 1, "on": "2026-03-31"}]
        assert listing["people_not_listed"] == []

        patched = call("PATCH", api(episode, f"/{body['id']}"), alice, {"ring": 3, "knows_about_problems": None})
        assert patched.status_code == 200, patched.json()
        assert (patched.json()["ring"], patched.json()["supports_recovery"]) == (3, True)
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, object_type="ipt.inventoryentry")
        latest = event.latest("id")
        assert (latest.extra["kind"], latest.extra["changes"], latest.channel) == ("inventory", {"ring": [2, 3]}, "api")
        assert call("GET", api(episode, f"/{body['id']}"), alice).json()["ring"] == 3

    def test_it_gives_the_circle_for_a_date(self, episode: Episode, sister: Person, alice: User) -> None:
        dealer = Person.objects.create(client=episode.client, name="Dealer", relationship_type="using_associate")
        record(episode, sister, 2, 2, alice, supports_recovery=True)
        record(episode, sister, 1, 20, alice, supports_recovery=True)
        record(episode, dealer, 3, 25, alice, uses_with_client=True, expectations_met="not_met")
        on_tenth = call("GET", api(episode, "/circle?on=2026-03-10"), alice).json()
        assert on_tenth["on"] == "2026-03-10"
        assert [(p["person"]["name"], p["ring"]) for p in on_tenth["people"]] == [("Big sister", 2)]
        today = call("GET", api(episode, "/circle"), alice).json()
        assert [(p["person"]["name"], p["ring"], p["tone"], p["uses_with_client"]) for p in today["people"]] == [
            ("Big sister", 1, "support", False),
            ("Dealer", 3, "conflict", True),
        ]
        assert "Ring 3: Dealer (conflict or expectations not met, uses with the client)." in today["description"]
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).latest("id")
        assert event.extra == {"kind": "inventory", "view": "circle", "on": "2026-03-31"}

    def test_it_compares_the_circle_between_two_dates(self, episode: Episode, sister: Person, alice: User) -> None:
        sponsor = Person.objects.create(client=episode.client, name="Sponsor", relationship_type="sponsor")
        mum = Person.objects.create(client=episode.client, name="Mum", relationship_type="parent")
        record(episode, sister, 3, 2, alice)
        record(episode, sister, 1, 20, alice)
        record(episode, mum, 2, 2, alice)
        record(episode, sponsor, 2, 15, alice, supports_recovery=True)
        response = call("GET", api(episode, "/circle/changes?then=2026-03-10&now=2026-03-31"), alice)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["then"], body["now"]) == ("2026-03-10", "2026-03-31")
        assert body["changes"] == [
            {
                "person_id": sister.pk,
                "name": "Big sister",
                "kind": "closer",
                "label": "Moved closer (ring 3 → 1)",
                "then_ring": 3,
                "now_ring": 1,
            },
            {
                "person_id": sponsor.pk,
                "name": "Sponsor",
                "kind": "new",
                "label": "New since 2026-03-10 (not in the inventory then)",
                "then_ring": None,
                "now_ring": 2,
            },
        ]
        assert [(p["person"]["name"], p["ring"]) for p in body["unchanged"]] == [("Mum", 2)]
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).latest("id")
        assert event.extra == {"kind": "inventory", "view": "circle", "then": "2026-03-10", "now": "2026-03-31"}
        # By default the first inventory against today.
        default = call("GET", api(episode, "/circle/changes"), alice).json()
        assert (default["then"], default["now"]) == ("2026-03-02", "2026-03-31")

    def test_listing_takes_the_same_number_of_queries_whatever_the_number_of_people(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, 2, alice)
        headers = bearer(alice)
        http = HttpClient()
        http.get(api(episode), **headers)  # the token's last use is written at most once a minute
        with CaptureQueriesContext(connection) as few:
            assert http.get(api(episode), **headers).status_code == 200
        for n in range(5):
            person = Person.objects.create(client=episode.client, name=f"Friend {n}", relationship_type="friend")
            record(episode, person, 1 + n % 4, 2, alice)
            record(episode, person, 1 + (n + 1) % 4, 9, alice)
        with CaptureQueriesContext(connection) as many:
            response = http.get(api(episode), **headers)
        assert len(response.json()["history"]) == 11
        assert len(many) == len(few)


class TestInvalidInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"ring": 5}, "ring"),
            ({"ring": 2, "recorded_on": "2026-04-01"}, "recorded_on"),
            ({"ring": 2, "recorded_on": "1985-05-16"}, "recorded_on"),  # the day before Fern was born
            ({"ring": 2, "expectations_met": "sometimes"}, "expectations_met"),
            ({"ring": 2, "colour": "green"}, "colour"),
        ],
    )
    def test_it_names_the_field_at_fault(
        self, episode: Episode, sister: Person, alice: User, body: dict[str, Any], field: str
    ) -> None:
        response = call("POST", api(episode), alice, {"person_id": sister.pk, **body})
        assert response.status_code == 422
        assert field in response.json()["errors"]
        assert not InventoryEntry.objects.exists()

    def test_it_refuses_a_second_entry_on_a_date_and_someone_elses_person(
        self, episode: Episode, sister: Person, alice: User, north: Organization, north_site: Site
    ) -> None:
        record(episode, sister, 2, 2, alice)
        duplicate = call("POST", api(episode), alice, {"person_id": sister.pk, "recorded_on": "2026-03-02", "ring": 1})
        assert duplicate.status_code == 422
        assert duplicate.json()["errors"]["recorded_on"] == [
            "This person already has an entry on that date; edit it instead."
        ]
        other_client = make_client(north, north_site, primary=alice)
        stranger = Person.objects.create(client=other_client, name="Stranger", relationship_type="friend")
        response = call("POST", api(episode), alice, {"person_id": stranger.pk, "ring": 1})
        assert response.status_code == 422 and "person_id" in response.json()["errors"]
        assert InventoryEntry.objects.count() == 1

    def test_it_names_the_date_before_birth_and_in_the_future_on_a_correction_too(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        entry = record(episode, sister, 2, 2, alice)
        before_birth = call("PATCH", api(episode, f"/{entry.pk}"), alice, {"recorded_on": "1980-01-01"})
        assert (before_birth.status_code, before_birth.json()["errors"]) == (
            422,
            {"recorded_on": ["The date is before the client was born."]},
        )
        future = call("PATCH", api(episode, f"/{entry.pk}"), alice, {"recorded_on": "2026-04-01"})
        assert future.json()["errors"] == {"recorded_on": ["The date cannot be in the future."]}
        entry.refresh_from_db()
        assert entry.recorded_on == dt.date(2026, 3, 2)

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ("then=2026-03-20&now=2026-03-10", "then", "“Then” is after “now”: put the earlier date in “Then”."),
            ("then=2026-04-01", "then", "The date cannot be in the future."),
            ("now=2026-04-01", "now", "The date cannot be in the future."),
        ],
    )
    def test_the_comparison_refuses_dates_the_wrong_way_round_or_in_the_future(
        self, episode: Episode, alice: User, query: str, field: str, message: str
    ) -> None:
        response = call("GET", api(episode, f"/circle/changes?{query}"), alice)
        assert (response.status_code, response.json()["errors"]) == (422, {field: [message]})
        assert not AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).exists()

    def test_a_correction_refuses_null_and_a_new_person(self, episode: Episode, sister: Person, alice: User) -> None:
        entry = record(episode, sister, 2, 2, alice)
        assert call("PATCH", api(episode, f"/{entry.pk}"), alice, {"ring": None}).status_code == 422
        assert call("PATCH", api(episode, f"/{entry.pk}"), alice, {"person_id": 1}).status_code == 422
        entry.refresh_from_db()
        assert entry.ring == 2


class TestAccess:
    def test_a_supervisor_reads_but_cannot_write(
        self, episode: Episode, sister: Person, alice: User, bob: User
    ) -> None:
        entry = record(episode, sister, 2, 2, alice)
        assert call("GET", api(episode), bob).status_code == 200
        assert call("GET", api(episode, "/circle"), bob).status_code == 200
        assert call("GET", api(episode, "/circle/changes"), bob).status_code == 200
        assert call("POST", api(episode), bob, {"person_id": sister.pk, "ring": 1}).status_code == 404
        assert call("PATCH", api(episode, f"/{entry.pk}"), bob, {"ring": 4}).status_code == 404
        assert list(InventoryEntry.objects.values_list("ring", flat=True)) == [2]

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_other_teams_and_organizations_get_404(
        self, episode: Episode, sister: Person, alice: User, persona: str, request: pytest.FixtureRequest
    ) -> None:
        entry = record(episode, sister, 2, 2, alice)
        user = request.getfixturevalue(persona)
        for path in (
            api(episode),
            api(episode, "/circle"),
            api(episode, "/circle/changes"),
            api(episode, f"/{entry.pk}"),
        ):
            response = call("GET", path, user)
            assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), path
        assert call("POST", api(episode), user, {"person_id": sister.pk, "ring": 1}).status_code == 404
        assert call("PATCH", api(episode, f"/{entry.pk}"), user, {"ring": 4}).status_code == 404
        assert list(InventoryEntry.objects.values_list("ring", flat=True)) == [2]

    def test_a_missing_entry_is_404(self, episode: Episode, alice: User) -> None:
        assert call("GET", api(episode, "/999999"), alice).status_code == 404
        assert call("PATCH", api(episode, "/999999"), alice, {"ring": 1}).status_code == 404

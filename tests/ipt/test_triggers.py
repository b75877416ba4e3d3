"""Triggers: recorded with people, places and feelings, listed by type with their risk, edited, retired (never
deleted); who may read and change them; the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions_timeline import do_add_trigger
from iptcare.ipt.forms_timeline import TriggerForm
from iptcare.ipt.models import Episode, Trigger
from tests.conftest import bearer, make_client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(north: Organization, north_site: Site, alice: User) -> Person:
    other = make_client(north, north_site, primary=alice)
    return Person.objects.create(client=other, name="Neighbour", relationship_type="friend")


def url(episode: Episode, suffix: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/triggers/{suffix}"


def api_url(episode: Episode, suffix: str = "") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/triggers{suffix}"


def form_data(**fields: Any) -> dict[str, Any]:
    return {
        "trigger_type": "interpersonal",
        "description": "Arguments with sister about money",
        "places": "",
        "feelings": "angry, ashamed",
        "risk_level": "high",
        "coping_response": "Leave the room; call the sponsor.",
    } | fields


def add_trigger(episode: Episode, user: User, **fields: Any) -> Trigger:
    data = {
        "trigger_type": "emotional",
        "description": "Feeling lonely on Sunday evenings",
        "places": "",
        "feelings": "lonely",
        "risk_level": "moderate",
        "coping_response": "",
    } | fields
    return do_add_trigger(episode, data, acting_user=user)


def changes_of(trigger: Trigger) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.trigger", object_id=str(trigger.pk)
        ).order_by("id")
    )


def call(method: str, path: str, user: User, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(bearer(user))
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(HttpClient(), method.lower())(path, **kwargs)


class TestTheForm:
    def test_it_links_only_the_clients_own_people(self, fern: Client, sister: Person, stranger: Person) -> None:
        refused = TriggerForm(data=form_data(people=[stranger.pk]), client=fern)
        assert "not one of the available choices" in str(refused.errors["people"])
        accepted = TriggerForm(data=form_data(people=[sister.pk]), client=fern)
        assert accepted.is_valid() and list(accepted.cleaned_data["people"]) == [sister]

    def test_it_needs_a_type_a_description_and_a_risk_level(self, fern: Client) -> None:
        form = TriggerForm(data=form_data(trigger_type="", description="  ", risk_level="extreme"), client=fern)
        assert set(form.errors) == {"trigger_type", "description", "risk_level"}

    def test_a_new_trigger_is_always_current(self, fern: Client) -> None:
        assert "is_active" not in TriggerForm(client=fern).fields


class TestThePages:
    def test_it_adds_a_trigger_with_its_people_and_audits_it(
        self, episode: Episode, fern: Client, alice: User, sister: Person
    ) -> None:
        http = sign_in(alice)
        assert http.get(url(episode, "new/")).status_code == 200
        response = http.post(url(episode, "new/"), form_data(people=[sister.pk], places="Her flat"))
        assert response.status_code == 302 and response["Location"] == url(episode)
        trigger = Trigger.objects.get()
        assert (trigger.client, trigger.episode, trigger.recorded_by, trigger.is_active) == (
            fern,
            episode,
            alice,
            True,
        )
        assert (trigger.trigger_type, trigger.risk_level, trigger.places) == ("interpersonal", "high", "Her flat")
        assert list(trigger.people.all()) == [sister]
        [audit] = changes_of(trigger)
        assert (audit.actor, audit.client, audit.extra["kind"]) == (alice, fern, "trigger")
        assert audit.extra["changes"]["people"] == [None, [sister.pk]]

    def test_it_lists_triggers_grouped_by_type_with_their_risk(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        add_trigger(episode, alice, trigger_type="halt", description="Skipping meals", risk_level="low")
        add_trigger(
            episode, alice, trigger_type="interpersonal", description="Rows with sister", risk_level="high"
        ).people.add(sister)
        add_trigger(episode, alice, trigger_type="interpersonal", description="Old drinking friends")
        response = sign_in(alice).get(url(episode))
        html = response.content.decode()
        groups = response.context["groups"]
        assert [group["type"] for group in groups] == ["interpersonal", "halt"]
        assert [t.description for t in groups[0]["triggers"]] == ["Rows with sister", "Old drinking friends"]
        assert groups[0]["external"] is True and groups[1]["external"] is False
        assert html.index("Rows with sister") < html.index("Skipping meals")
        assert '<span class="badge badge-alert">High risk</span>' in html
        assert '<span class="badge badge-inactive">Low risk</span>' in html
        assert "Big sister" in html
        read = AuditEvent.objects.get(event_type=EventType.EPISODE_VIEWED)
        assert (read.actor, read.extra["kind"]) == (alice, "trigger")

    def test_it_edits_in_place_and_audits_old_and_new_values(self, episode: Episode, alice: User) -> None:
        trigger = add_trigger(episode, alice, risk_level="moderate")
        http = sign_in(alice)
        assert http.get(url(episode, f"{trigger.pk}/")).status_code == 200
        data = form_data(trigger_type="emotional", risk_level="high", is_active="on")
        assert http.post(url(episode, f"{trigger.pk}/"), data).status_code == 302
        trigger.refresh_from_db()
        assert (trigger.description, trigger.risk_level, trigger.is_active) == (
            "Arguments with sister about money",
            "high",
            True,
        )
        changed = changes_of(trigger)[-1]
        assert changed.extra["kind"] == "trigger"
        assert changed.extra["changes"]["risk_level"] == ["moderate", "high"]
        assert "is_active" not in changed.extra["changes"]

    def test_it_marks_a_trigger_inactive_and_keeps_it(self, episode: Episode, alice: User) -> None:
        trigger = add_trigger(episode, alice, description="Payday Fridays", trigger_type="environmental")
        http = sign_in(alice)
        response = http.post(url(episode, f"{trigger.pk}/active/"), {"active": "0"})
        assert response.status_code == 302
        trigger.refresh_from_db()
        assert trigger.is_active is False
        assert changes_of(trigger)[-1].extra["changes"] == {"is_active": [True, False]}
        page = http.get(url(episode))
        assert page.context["groups"] == []
        assert [t.pk for t in page.context["inactive"]] == [trigger.pk]
        assert "Payday Fridays" in page.content.decode()
        http.post(url(episode, f"{trigger.pk}/active/"), {"active": "1"})
        trigger.refresh_from_db()
        assert trigger.is_active is True
        assert http.get(url(episode, f"{trigger.pk}/active/")).status_code == 405

    def test_it_lets_the_supervisor_read_but_not_change(self, episode: Episode, alice: User, bob: User) -> None:
        trigger = add_trigger(episode, alice, description="Payday Fridays")
        http = sign_in(bob)
        response = http.get(url(episode))
        assert response.status_code == 200 and "Payday Fridays" in response.content.decode()
        assert response.context["can_write"] is False
        assert "Mark inactive" not in response.content.decode()
        assert http.get(url(episode, "new/")).status_code == 404
        assert http.post(url(episode, "new/"), form_data()).status_code == 404
        assert http.get(url(episode, f"{trigger.pk}/")).status_code == 404
        assert http.post(url(episode, f"{trigger.pk}/"), form_data()).status_code == 404
        assert http.post(url(episode, f"{trigger.pk}/active/"), {"active": "0"}).status_code == 404
        trigger.refresh_from_db()
        assert (Trigger.objects.count(), trigger.description, trigger.is_active) == (1, "Payday Fridays", True)

    def test_it_hides_everything_from_another_organization(self, episode: Episode, alice: User, carol: User) -> None:
        trigger = add_trigger(episode, alice)
        http = sign_in(carol)
        assert http.get(url(episode)).status_code == 404
        assert http.post(url(episode, "new/"), form_data()).status_code == 404
        assert http.post(url(episode, f"{trigger.pk}/"), form_data()).status_code == 404
        assert http.post(url(episode, f"{trigger.pk}/active/"), {"active": "0"}).status_code == 404
        assert Trigger.objects.get().is_active is True

    def test_it_lists_the_triggers_in_constant_queries(self, episode: Episode, alice: User, sister: Person) -> None:
        http = sign_in(alice)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url(episode)).status_code == 200
            return len(captured)

        def add_triggers(count: int) -> None:
            types = ["interpersonal", "emotional", "environmental", "physical", "halt"]
            for n in range(count):
                trigger = add_trigger(episode, alice, trigger_type=types[n % 5], description=f"Trigger {n}")
                trigger.people.add(sister)
                if n % 3 == 0:
                    trigger.is_active = False
                    trigger.save(update_fields=["is_active"])

        add_triggers(2)
        few = count_queries()
        add_triggers(10)
        assert count_queries() == few


class TestTheApi:
    def test_it_creates_lists_reads_updates_and_retires_triggers(
        self, episode: Episode, fern: Client, alice: User, sister: Person
    ) -> None:
        body = {
            "trigger_type": "interpersonal",
            "description": "Rows with sister",
            "people_ids": [sister.pk],
            "risk_level": "high",
        }
        created = call("POST", api_url(episode), alice, body)
        assert created.status_code == 201, created.content
        out = created.json()
        assert (out["people"], out["is_active"], out["episode_id"]) == (
            [{"id": sister.pk, "name": "Big sister"}],
            True,
            episode.pk,
        )
        trigger = Trigger.objects.get()
        assert (trigger.client, trigger.recorded_by) == (fern, alice)
        listed = call("GET", api_url(episode), alice).json()
        assert listed["count"] == 1 and listed["items"][0]["description"] == "Rows with sister"
        assert call("GET", api_url(episode, f"/{trigger.pk}"), alice).json()["risk_level"] == "high"

        patched = call("PATCH", api_url(episode, f"/{trigger.pk}"), alice, {"is_active": False, "risk_level": "low"})
        assert patched.status_code == 200, patched.content
        assert (patched.json()["is_active"], patched.json()["risk_level"], patched.json()["people"][0]["id"]) == (
            False,
            "low",
            sister.pk,
        )
        trigger.refresh_from_db()
        assert (trigger.is_active, trigger.risk_level) == (False, "low")
        assert changes_of(trigger)[-1].extra["changes"] == {"is_active": [True, False], "risk_level": ["high", "low"]}

    def test_it_answers_422_with_the_fields_at_fault(self, episode: Episode, alice: User, stranger: Person) -> None:
        base = {"trigger_type": "halt", "description": "Tired after night shifts", "risk_level": "moderate"}
        foreign = call("POST", api_url(episode), alice, base | {"people_ids": [stranger.pk]})
        assert foreign.status_code == 422 and set(foreign.json()["errors"]) == {"people_ids"}
        assert set(call("POST", api_url(episode), alice, base | {"risk_level": "x"}).json()["errors"]) == {"risk_level"}
        assert call("POST", api_url(episode), alice, base | {"is_active": False}).status_code == 422
        assert not Trigger.objects.exists()

    def test_it_answers_404_to_those_who_may_not(self, episode: Episode, alice: User, bob: User, carol: User) -> None:
        trigger = add_trigger(episode, alice)
        body = {"trigger_type": "halt", "description": "x", "risk_level": "low"}
        assert call("GET", api_url(episode), bob).status_code == 200
        assert call("POST", api_url(episode), bob, body).status_code == 404
        assert call("PATCH", api_url(episode, f"/{trigger.pk}"), bob, {"is_active": False}).status_code == 404
        assert call("GET", api_url(episode), carol).status_code == 404
        assert call("GET", api_url(episode, f"/{trigger.pk}"), carol).status_code == 404
        assert call("PATCH", api_url(episode, f"/{trigger.pk}"), carol, {"is_active": False}).status_code == 404
        assert Trigger.objects.get().is_active is True

    def test_it_lists_in_constant_queries(self, episode: Episode, alice: User, sister: Person) -> None:
        headers = bearer(alice)

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert HttpClient().get(api_url(episode), **headers).status_code == 200
            return len(captured)

        for n in range(2):
            add_trigger(episode, alice, description=f"Early {n}").people.add(sister)
        count_queries()  # The token's first use is recorded once; count from the second call.
        few = count_queries()
        for n in range(10):
            add_trigger(episode, alice, description=f"Later {n}").people.add(sister)
        assert count_queries() == few

"""The JSON API at /api/v1/clients/: listing, reading and changing clients, care teams and people.

Every call goes through the same access rules as the pages (docs/access.md), answers errors in one shape
({"detail": ..., "errors": {field: [...]}}), and leaves an audit event with channel "api".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.actions import do_create_token, do_revoke_token
from iptcare.accounts.models import PersonalAccessToken, Role, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import CareTeamMember, Client, ClientStatusChange, Person, TeamRole
from iptcare.encryption.audit import open_changes
from tests.conftest import bearer, make_client, make_staff, sign_in

API = "/api/v1/clients/"


def call(method: str, url: str, user: User | None = None, body: Any = None, **headers: str) -> Any:
    """One API call as `user` (with a fresh bearer token), JSON in and out."""
    http = HttpClient()
    if user is not None:
        headers = {**bearer(user), **headers}
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(http, method.lower())(url, **kwargs)


def last_event(event_type: EventType) -> AuditEvent:
    event = AuditEvent.objects.filter(event_type=event_type).order_by("-id").first()
    assert event is not None, f"no {event_type.name} audit event was written"
    return event


def new_client_body(site_id: int, therapist_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "identifier": "N-0100",
        "given_name": "Gale",
        "family_name": "Greene",
        "date_of_birth": "1990-03-04",
        "sex_at_birth": "male",
        "site_id": site_id,
        "status": "referred",
        "primary_substances": ["alcohol", "cannabis"],
        "primary_therapist_id": therapist_id,
    }
    body.update(fields)
    return body


def client_row(client: Client) -> dict[str, Any]:
    """Every stored field of a client, to tell that a write changed nothing else."""
    stored = Client.objects.get(pk=client.pk)
    return {f.attname: getattr(stored, f.attname) for f in Client._meta.concrete_fields}


# ---------------------------------------------------------------------------------------------------- listing


@pytest.mark.django_db
def test_it_lists_clients_with_count_and_items(alice, fern):
    response = call("GET", API, alice)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "items"}
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == fern.pk
    assert item["identifier"] == "N-0001"
    assert item["display_name"] == "Fern Fairweather"
    assert item["site"] == {"id": fern.site_id, "name": "North Main"}
    assert item["primary_therapist"] == {
        "id": alice.pk,
        "full_name": "Alice Ashby",
        "email": "alice@north.test",
    }


@pytest.mark.django_db
def test_it_pages_the_list_with_limit_and_offset(north, north_site, alice):
    clients = [make_client(north, north_site, primary=alice, family_name=f"Pager{i}") for i in range(7)]

    response = call("GET", f"{API}?limit=3&offset=3", alice)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert [item["id"] for item in body["items"]] == [c.pk for c in clients[3:6]]


@pytest.mark.django_db
def test_it_returns_the_last_partial_page(north, north_site, alice):
    clients = [make_client(north, north_site, primary=alice, family_name=f"Pager{i}") for i in range(7)]

    body = call("GET", f"{API}?limit=3&offset=6", alice).json()

    assert body["count"] == 7
    assert [item["id"] for item in body["items"]] == [clients[6].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [0, 101, -1])
def test_it_refuses_a_limit_out_of_range(alice, fern, limit):
    response = call("GET", f"{API}?limit={limit}", alice)

    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert set(body["errors"]) == {"limit"}
    assert body["errors"]["limit"]
    assert all(isinstance(message, str) for message in body["errors"]["limit"])
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_it_accepts_the_largest_limit(alice, fern):
    response = call("GET", f"{API}?limit=100", alice)

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["limit=abc", "offset=-1", "q=" + "x" * 101])
def test_it_refuses_other_invalid_list_parameters(alice, fern, query):
    response = call("GET", f"{API}?{query}", alice)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {query.split("=")[0]}


@pytest.mark.django_db
def test_it_searches_and_filters_the_list(north, north_site, alice, fern):
    held = make_client(north, north_site, primary=alice, family_name="Holloway", status="on_hold")

    by_name = call("GET", f"{API}?q=fairw", alice).json()
    by_identifier = call("GET", f"{API}?q={held.identifier}", alice).json()
    by_status = call("GET", f"{API}?status=on_hold", alice).json()

    assert [item["id"] for item in by_name["items"]] == [fern.pk]
    assert [item["id"] for item in by_identifier["items"]] == [held.pk]
    assert [item["id"] for item in by_status["items"]] == [held.pk]
    assert by_status["count"] == 1


@pytest.mark.django_db
def test_it_lists_only_the_therapists_own_clients(north, north_site, alice, tom, fern):
    toms_client = make_client(north, north_site, primary=tom)

    body = call("GET", API, alice).json()

    ids = [item["id"] for item in body["items"]]
    assert ids == [fern.pk]
    assert toms_client.pk not in ids
    assert body["count"] == 1


@pytest.mark.django_db
def test_it_lists_nothing_of_another_organization(north, north_site, alice, carol, fern):
    make_client(north, north_site, primary=alice)

    body = call("GET", API, carol).json()

    assert body == {"count": 0, "items": []}


@pytest.mark.django_db
def test_it_lists_every_client_of_the_organization_to_the_director(
    north, north_site, south, south_site, alice, tom, carol, dan, fern
):
    toms_client = make_client(north, north_site, primary=tom)
    south_client = make_client(south, south_site, primary=carol)

    body = call("GET", API, dan).json()

    ids = {item["id"] for item in body["items"]}
    assert ids == {fern.pk, toms_client.pk}
    assert south_client.pk not in ids
    assert body["count"] == 2


@pytest.mark.django_db
def test_it_audits_the_list_with_the_listed_ids(north, north_site, alice, fern):
    other = make_client(north, north_site, primary=alice, family_name="Aardvark")

    body = call("GET", f"{API}?limit=1", alice).json()

    event = AuditEvent.objects.get(event_type=EventType.CLIENT_LIST_VIEWED)
    assert event.actor_id == alice.pk
    assert event.organization_id == north.pk
    assert event.channel == "api"
    assert [event.client_id] == [item["id"] for item in body["items"]] == [other.pk]
    assert event.extra == {"query": "", "offset": 0}


@pytest.mark.django_db
def test_it_lists_only_a_summary_and_says_which_records_may_be_opened(dan, dora, fern):
    directors_item = call("GET", API, dan).json()["items"][0]
    treating_item = call("GET", API, dora).json()["items"][0]

    assert directors_item["id"] == treating_item["id"] == fern.pk
    assert (directors_item["can_open"], treating_item["can_open"]) == (False, True)
    for private in ("date_of_birth", "address", "phone", "email", "primary_substances", "co_occurring_conditions"):
        assert private not in directors_item
    assert call("GET", f"{API}{fern.pk}", dan).status_code == 404


@pytest.mark.django_db
def test_it_lists_with_a_constant_number_of_queries(north, north_site, alice):
    def queries_for_list() -> int:
        headers = bearer(alice)
        http = HttpClient()
        with CaptureQueriesContext(connection) as captured:
            response = http.get(f"{API}?limit=100", **headers)
        assert response.status_code == 200
        assert response.json()["count"] == Client.objects.count()
        return len(captured.captured_queries)

    for i in range(3):
        make_client(
            north,
            north_site,
            primary=alice,
            team={make_staff(north, f"c{i}@n.test", "C", Role.COUNSELLOR): "counsellor"},
        )
    with_three = queries_for_list()
    for i in range(12):
        make_client(
            north,
            north_site,
            primary=alice,
            team={make_staff(north, f"d{i}@n.test", "D", Role.COUNSELLOR): "counsellor"},
        )
    with_fifteen = queries_for_list()

    assert with_fifteen == with_three


# ---------------------------------------------------------------------------------------------------- reading


@pytest.mark.django_db
def test_it_reads_one_client(alice, fern):
    response = call("GET", f"{API}{fern.pk}", alice)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == fern.pk
    assert body["identifier"] == "N-0001"
    assert body["given_name"] == "Fern"
    assert body["family_name"] == "Fairweather"
    assert body["date_of_birth"] == "1985-05-17"
    assert body["status"] == "active"
    assert body["site"]["id"] == fern.site_id
    assert body["primary_therapist"] == {
        "id": alice.pk,
        "full_name": "Alice Ashby",
        "email": "alice@north.test",
    }
    for field in (
        "created_at",
        "updated_at",
        "status_since",
        "primary_substances",
        "co_occurring_conditions",
    ):
        assert field in body


@pytest.mark.django_db
def test_it_audits_reading_a_client(north, alice, fern):
    call("GET", f"{API}{fern.pk}", alice)

    event = last_event(EventType.CLIENT_VIEWED)
    assert event.actor_id == alice.pk
    assert event.client_id == fern.pk
    assert event.organization_id == north.pk
    assert event.channel == "api"
    assert (event.object_type, event.object_id) == ("clients.client", str(fern.pk))


@pytest.mark.django_db
def test_it_answers_404_alike_for_another_organizations_client_and_a_missing_one(carol, fern):
    other_org = call("GET", f"{API}{fern.pk}", carol)
    missing = call("GET", f"{API}{fern.pk + 1000}", carol)

    assert other_org.status_code == missing.status_code == 404
    assert other_org.json() == missing.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_VIEWED).exists()


@pytest.mark.django_db
def test_it_answers_404_to_a_therapist_not_on_the_team(tom, fern):
    response = call("GET", f"{API}{fern.pk}", tom)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# ---------------------------------------------------------------------------------------------------- creating


@pytest.mark.django_db
def test_it_creates_a_client(north, north_site, alice, tom):
    response = call("POST", API, alice, new_client_body(north_site.pk, tom.pk))

    assert response.status_code == 201
    body = response.json()
    client = Client.objects.get(pk=body["id"])
    assert client.organization_id == north.pk
    assert client.site_id == north_site.pk
    assert client.identifier == "N-0100"
    assert (client.given_name, client.family_name) == ("Gale", "Greene")
    assert client.date_of_birth == dt.date(1990, 3, 4)
    assert client.sex_at_birth == "male"
    assert client.status == "referred"
    assert client.status_since == timezone.localdate()
    assert client.primary_substances == ["alcohol", "cannabis"]
    assert body["primary_therapist"]["id"] == tom.pk
    team = dict(CareTeamMember.objects.filter(client=client).values_list("user_id", "team_role"))
    # The therapist who opened the record joins its team; Tom leads it.
    assert team == {tom.pk: TeamRole.PRIMARY_THERAPIST, alice.pk: TeamRole.THERAPIST}
    assert ClientStatusChange.objects.filter(client=client, status="referred").count() == 1


@pytest.mark.django_db
def test_it_audits_creating_a_client(north, north_site, alice):
    body = call("POST", API, alice, new_client_body(north_site.pk, alice.pk)).json()

    event = last_event(EventType.CLIENT_CREATED)
    assert event.actor_id == alice.pk
    assert event.client_id == body["id"]
    assert event.organization_id == north.pk
    assert event.channel == "api"
    assert event.extra["changes"]["identifier"] == [None, "N-0100"]
    assert event.extra["primary_therapist"] == "alice@north.test"
    assert list(CareTeamMember.objects.filter(client_id=body["id"]).values_list("user_id", "team_role")) == [
        (alice.pk, TeamRole.PRIMARY_THERAPIST)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"identifier": "n-0001"}, "identifier"),
        ({"status": "cured"}, "status"),
    ],
)
def test_it_refuses_invalid_values_on_create(north_site, alice, fern, override, field):
    before = Client.objects.count()

    response = call("POST", API, alice, new_client_body(north_site.pk, alice.pk, **override))

    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert field in body["errors"]
    assert Client.objects.count() == before
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_CREATED).exists()


@pytest.mark.django_db
def test_it_refuses_a_site_of_another_organization(north_site, south_site, alice, fern):
    response = call("POST", API, alice, new_client_body(south_site.pk, alice.pk))

    assert response.status_code == 422
    assert "site_id" in response.json()["errors"]
    assert not Client.objects.filter(identifier="N-0100").exists()


@pytest.mark.django_db
def test_it_refuses_a_primary_therapist_of_another_organization(north_site, alice, carol):
    response = call("POST", API, alice, new_client_body(north_site.pk, carol.pk))

    assert response.status_code == 422
    assert "primary_therapist_id" in response.json()["errors"]
    assert not Client.objects.filter(identifier="N-0100").exists()


@pytest.mark.django_db
def test_it_refuses_a_missing_required_field(north_site, alice):
    body = new_client_body(north_site.pk, alice.pk)
    del body["given_name"]

    response = call("POST", API, alice, body)

    assert response.status_code == 422
    assert "given_name" in response.json()["errors"]
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_it_forbids_a_director_to_create_a_client(north_site, alice, dan):
    response = call("POST", API, dan, new_client_body(north_site.pk, alice.pk))

    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)
    assert not Client.objects.exists()


# ---------------------------------------------------------------------------------------------------- changing


@pytest.mark.django_db
def test_it_changes_only_the_given_field(alice, fern):
    before = client_row(fern)

    response = call("PATCH", f"{API}{fern.pk}", alice, {"preferred_name": "Fernie"})

    assert response.status_code == 200
    assert response.json()["display_name"] == "Fernie Fairweather"
    after = client_row(fern)
    assert after.pop("preferred_name") == "Fernie"
    assert before.pop("preferred_name") == ""
    before.pop("updated_at")
    after.pop("updated_at")
    assert after == before


@pytest.mark.django_db
def test_it_records_a_status_change(alice, fern):
    response = call("PATCH", f"{API}{fern.pk}", alice, {"status": "on_hold"})

    assert response.status_code == 200
    assert Client.objects.get(pk=fern.pk).status == "on_hold"
    change = ClientStatusChange.objects.get(client=fern)
    assert change.status == "on_hold"
    assert change.changed_by_id == alice.pk


@pytest.mark.django_db
def test_it_audits_a_change_with_old_and_new_values(north, alice, fern):
    call("PATCH", f"{API}{fern.pk}", alice, {"status": "discharged", "pronouns": "she/her"})

    event = last_event(EventType.CLIENT_UPDATED)
    assert event.actor_id == alice.pk
    assert event.client_id == fern.pk
    assert event.organization_id == north.pk
    assert event.channel == "api"
    assert event.extra["changes"] == {"status": ["active", "discharged"], "pronouns": ["", "she/her"]}


@pytest.mark.django_db
def test_it_lets_a_supervisor_read_but_not_change(bob, fern):
    read = call("GET", f"{API}{fern.pk}", bob)
    change = call("PATCH", f"{API}{fern.pk}", bob, {"preferred_name": "Bobbed"})

    assert read.status_code == 200
    assert change.status_code == 404
    assert change.json() == {"detail": "Not found."}
    assert Client.objects.get(pk=fern.pk).preferred_name == ""
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_UPDATED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [{"status": "cured"}, {"date_of_birth": "2999-01-01"}, {"email": "not-an-address"}, {"phone": "call me"}],
)
def test_it_refuses_an_invalid_change_and_keeps_the_record(alice, fern, change):
    before = client_row(fern)

    response = call("PATCH", f"{API}{fern.pk}", alice, change)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == set(change)
    assert client_row(fern) == before
    assert not ClientStatusChange.objects.filter(client=fern).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_UPDATED).exists()


@pytest.mark.django_db
def test_it_refuses_moving_a_client_to_another_organizations_site(alice, fern, south_site):
    response = call("PATCH", f"{API}{fern.pk}", alice, {"site_id": south_site.pk})

    assert response.status_code == 422
    assert "site_id" in response.json()["errors"]
    assert Client.objects.get(pk=fern.pk).site_id == fern.site_id


@pytest.mark.django_db
def test_it_refuses_fields_that_are_not_part_of_the_api(north, south, alice, fern):
    # A read-only field ("site" as read) or another organization's id must not pass silently.
    response = call(
        "PATCH", f"{API}{fern.pk}", alice, {"organization_id": south.pk, "site": 1, "pronouns": "they/them"}
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"organization_id", "site"}
    stored = Client.objects.get(pk=fern.pk)
    assert stored.organization_id == north.pk
    assert stored.pronouns == ""


@pytest.mark.django_db
def test_it_refuses_taking_another_clients_identifier(north, north_site, alice, fern):
    other = make_client(north, north_site, primary=alice)

    response = call("PATCH", f"{API}{other.pk}", alice, {"identifier": "N-0001"})

    assert response.status_code == 422
    assert "identifier" in response.json()["errors"]
    assert Client.objects.get(pk=other.pk).identifier == other.identifier


# ---------------------------------------------------------------------------------------------------- care team


@pytest.mark.django_db
def test_it_lists_the_care_team(alice, cody, pia, dora, fern):
    response = call("GET", f"{API}{fern.pk}/care-team", alice)

    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert response.json()["items"][0]["team_role"] == "primary_therapist"
    members = {m["user"]["id"]: m["team_role"] for m in response.json()["items"]}
    assert members == {
        alice.pk: "primary_therapist",
        cody.pk: "counsellor",
        pia.pk: "physician",
        dora.pk: "physician",
    }
    event = last_event(EventType.CARE_TEAM_VIEWED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")


@pytest.mark.django_db
def test_it_adds_a_care_team_member(alice, tom, fern):
    response = call("POST", f"{API}{fern.pk}/care-team", alice, {"user_id": tom.pk, "team_role": "therapist"})

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["id"] == tom.pk
    assert body["team_role"] == "therapist"
    member = CareTeamMember.objects.get(client=fern, user=tom)
    assert member.pk == body["id"]
    assert member.team_role == TeamRole.THERAPIST
    event = last_event(EventType.CARE_TEAM_MEMBER_ADDED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")
    assert event.extra == {"member": "tom@north.test", "team_role": "therapist"}


@pytest.mark.django_db
def test_it_refuses_a_physician_as_primary_therapist(north, alice, fern):
    phil = make_staff(north, "phil@north.test", "Phil Pham", Role.PHYSICIAN)

    response = call("POST", f"{API}{fern.pk}/care-team", alice, {"user_id": phil.pk, "team_role": "primary_therapist"})

    assert response.status_code == 422
    assert "team_role" in response.json()["errors"]
    assert not CareTeamMember.objects.filter(client=fern, user=phil).exists()
    assert CareTeamMember.objects.get(client=fern, team_role=TeamRole.PRIMARY_THERAPIST).user_id == alice.pk
    assert not AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_ADDED).exists()


@pytest.mark.django_db
def test_it_refuses_staff_of_another_organization_on_the_team(alice, carol, fern):
    response = call("POST", f"{API}{fern.pk}/care-team", alice, {"user_id": carol.pk, "team_role": "therapist"})

    assert response.status_code == 422
    assert "user_id" in response.json()["errors"]
    assert not CareTeamMember.objects.filter(client=fern, user=carol).exists()


@pytest.mark.django_db
def test_it_demotes_the_old_primary_when_naming_a_new_one(alice, cody, fern):
    cody_member = CareTeamMember.objects.get(client=fern, user=cody)

    response = call("PATCH", f"{API}{fern.pk}/care-team/{cody_member.pk}", alice, {"team_role": "primary_therapist"})

    assert response.status_code == 200
    assert response.json()["team_role"] == "primary_therapist"
    roles = dict(CareTeamMember.objects.filter(client=fern).values_list("user_id", "team_role"))
    assert roles[cody.pk] == TeamRole.PRIMARY_THERAPIST
    assert roles[alice.pk] == TeamRole.THERAPIST
    events = AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_UPDATED, client=fern)
    changes = {e.extra["member"]: e.extra["changes"]["team_role"] for e in events}
    assert changes == {
        "alice@north.test": ["primary_therapist", "therapist"],
        "cody@north.test": ["counsellor", "primary_therapist"],
    }
    assert {(e.actor_id, e.channel) for e in events} == {(alice.pk, "api")}


@pytest.mark.django_db
def test_it_never_replaces_the_primary_as_a_side_effect_of_adding_someone(alice, tom, fern):
    response = call("POST", f"{API}{fern.pk}/care-team", alice, {"user_id": tom.pk, "team_role": "primary_therapist"})

    assert response.status_code == 422
    assert "team_role" in response.json()["errors"]
    roles = dict(CareTeamMember.objects.filter(client=fern).values_list("user_id", "team_role"))
    assert tom.pk not in roles
    assert roles[alice.pk] == TeamRole.PRIMARY_THERAPIST


@pytest.mark.django_db
def test_it_names_a_new_primary_by_changing_a_members_role(alice, cody, fern):
    member = CareTeamMember.objects.get(client=fern, user=cody)

    response = call("PATCH", f"{API}{fern.pk}/care-team/{member.pk}", alice, {"team_role": "primary_therapist"})

    assert response.status_code == 200
    roles = dict(CareTeamMember.objects.filter(client=fern).values_list("user_id", "team_role"))
    assert roles[cody.pk] == TeamRole.PRIMARY_THERAPIST
    # Alice is a therapist, so she stays on the team as one.
    assert roles[alice.pk] == TeamRole.THERAPIST
    demoted = AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_UPDATED).order_by("id").first()
    assert demoted.extra == {"member": alice.email, "changes": {"team_role": ["primary_therapist", "therapist"]}}


@pytest.mark.django_db
def test_it_reads_one_care_team_member_and_hides_other_clients_members(alice, north, north_site, tom, fern):
    member = CareTeamMember.objects.get(client=fern, user=alice)
    response = call("GET", f"{API}{fern.pk}/care-team/{member.pk}", alice)
    assert response.status_code == 200
    assert response.json()["user"]["email"] == alice.email

    other = make_client(north, north_site, primary=tom)
    others_member = CareTeamMember.objects.get(client=other)
    assert call("GET", f"{API}{fern.pk}/care-team/{others_member.pk}", alice).status_code == 404


@pytest.mark.django_db
def test_it_refuses_demoting_the_primary_without_a_successor(alice, fern):
    primary = CareTeamMember.objects.get(client=fern, team_role=TeamRole.PRIMARY_THERAPIST)

    response = call("PATCH", f"{API}{fern.pk}/care-team/{primary.pk}", alice, {"team_role": "therapist"})

    assert response.status_code == 422
    assert "team_role" in response.json()["errors"]
    assert CareTeamMember.objects.get(pk=primary.pk).team_role == TeamRole.PRIMARY_THERAPIST
    assert not AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_UPDATED).exists()


@pytest.mark.django_db
def test_it_answers_404_for_a_member_of_another_clients_team(north, north_site, alice, tom, fern):
    other = make_client(north, north_site, primary=alice, team={tom: TeamRole.THERAPIST})
    toms_member = CareTeamMember.objects.get(client=other, user=tom)

    changed = call("PATCH", f"{API}{fern.pk}/care-team/{toms_member.pk}", alice, {"team_role": "counsellor"})
    removed = call("DELETE", f"{API}{fern.pk}/care-team/{toms_member.pk}", alice)

    assert changed.status_code == removed.status_code == 404
    assert CareTeamMember.objects.get(pk=toms_member.pk).team_role == TeamRole.THERAPIST


@pytest.mark.django_db
def test_it_removes_a_member_who_is_not_primary(alice, cody, fern):
    cody_member = CareTeamMember.objects.get(client=fern, user=cody)

    response = call("DELETE", f"{API}{fern.pk}/care-team/{cody_member.pk}", alice)

    assert response.status_code == 204
    assert not CareTeamMember.objects.filter(pk=cody_member.pk).exists()
    event = last_event(EventType.CARE_TEAM_MEMBER_REMOVED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")
    assert event.extra == {"member": "cody@north.test", "team_role": "counsellor"}


@pytest.mark.django_db
def test_it_keeps_the_primary_therapist_on_the_team(alice, fern):
    primary = CareTeamMember.objects.get(client=fern, team_role=TeamRole.PRIMARY_THERAPIST)

    response = call("DELETE", f"{API}{fern.pk}/care-team/{primary.pk}", alice)

    assert response.status_code == 422
    assert "team_role" in response.json()["errors"]
    assert CareTeamMember.objects.filter(pk=primary.pk, team_role=TeamRole.PRIMARY_THERAPIST).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CARE_TEAM_MEMBER_REMOVED).exists()


@pytest.mark.django_db
def test_it_lets_no_supervisor_change_the_team(bob, cody, fern):
    cody_member = CareTeamMember.objects.get(client=fern, user=cody)

    response = call("DELETE", f"{API}{fern.pk}/care-team/{cody_member.pk}", bob)

    assert response.status_code == 404
    assert CareTeamMember.objects.filter(pk=cody_member.pk).exists()


# ---------------------------------------------------------------------------------------------------- people


@pytest.mark.django_db
def test_it_lists_the_people(alice, fern):
    Person.objects.create(client=fern, name="Anna", relationship_type="friend")

    response = call("GET", f"{API}{fern.pk}/people", alice)

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [p["name"] for p in response.json()["items"]] == ["Anna", "Big sister"]
    assert response.json()["items"][1]["phone"] == "555 010 1234"
    second_page = call("GET", f"{API}{fern.pk}/people?limit=1&offset=1", alice).json()
    assert (second_page["count"], [p["name"] for p in second_page["items"]]) == (2, ["Big sister"])
    event = last_event(EventType.PEOPLE_VIEWED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")


@pytest.mark.django_db
def test_it_adds_a_person(alice, fern):
    body = {
        "name": "Sponsor Sam",
        "relationship_type": "sponsor",
        "email": "sam@example.test",
        "is_support_contact": True,
    }

    response = call("POST", f"{API}{fern.pk}/people", alice, body)

    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert person.client_id == fern.pk
    assert (person.name, person.relationship_type, person.email) == (
        "Sponsor Sam",
        "sponsor",
        "sam@example.test",
    )
    assert person.is_support_contact is True
    event = last_event(EventType.PERSON_ADDED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")
    assert event.object_id == str(person.pk)


@pytest.mark.django_db
def test_it_needs_a_way_to_reach_a_support_contact(alice, fern):
    body = {"name": "Uncle", "relationship_type": "other_family", "is_support_contact": True}

    response = call("POST", f"{API}{fern.pk}/people", alice, body)

    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    assert not Person.objects.filter(client=fern, name="Uncle").exists()
    assert not AuditEvent.objects.filter(event_type=EventType.PERSON_ADDED).exists()


@pytest.mark.django_db
def test_it_refuses_a_second_person_with_the_same_name(alice, fern):
    response = call("POST", f"{API}{fern.pk}/people", alice, {"name": "big sister", "relationship_type": "friend"})

    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    assert Person.objects.filter(client=fern).count() == 1


@pytest.mark.django_db
def test_it_changes_a_person(alice, fern):
    person = Person.objects.get(client=fern)

    response = call("PATCH", f"{API}{fern.pk}/people/{person.pk}", alice, {"notes": "Calls on Sundays."})

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.notes == "Calls on Sundays."
    assert (person.name, person.phone, person.is_support_contact) == ("Big sister", "555 010 1234", True)
    event = last_event(EventType.PERSON_UPDATED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")
    assert open_changes(event.extra["changes"]) == {"notes": ["", "Calls on Sundays."]}
    assert "enc1:" in str(event.extra["changes"])  # the stored values are sealed


@pytest.mark.django_db
def test_it_refuses_removing_the_only_way_to_reach_a_support_contact(alice, fern):
    person = Person.objects.get(client=fern)

    response = call("PATCH", f"{API}{fern.pk}/people/{person.pk}", alice, {"phone": ""})

    assert response.status_code == 422
    assert "phone" in response.json()["errors"]
    person.refresh_from_db()
    assert person.phone == "555 010 1234"


@pytest.mark.django_db
def test_it_reads_one_person(alice, fern):
    person = Person.objects.get(client=fern)

    response = call("GET", f"{API}{fern.pk}/people/{person.pk}", alice)

    assert response.status_code == 200
    assert response.json()["name"] == "Big sister"
    event = last_event(EventType.PEOPLE_VIEWED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, fern.pk, "api")
    assert event.object_id == str(person.pk)


@pytest.mark.django_db
def test_it_answers_404_for_a_person_of_another_client(north, north_site, alice, fern):
    other = make_client(north, north_site, primary=alice)
    stranger = Person.objects.create(client=other, name="Neighbour", relationship_type="friend")

    read = call("GET", f"{API}{fern.pk}/people/{stranger.pk}", alice)
    change = call("PATCH", f"{API}{fern.pk}/people/{stranger.pk}", alice, {"notes": "x"})

    assert read.status_code == change.status_code == 404
    assert read.json() == change.json() == {"detail": "Not found."}
    assert Person.objects.get(pk=stranger.pk).notes == ""


# ---------------------------------------------------------------------------------------------------- authentication


@pytest.mark.django_db
def test_it_needs_a_token(fern):
    response = HttpClient().get(API)

    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_it_refuses_a_wrong_token(alice, fern):
    response = HttpClient().get(API, HTTP_AUTHORIZATION="Bearer ipt_not-a-real-token")

    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


@pytest.mark.django_db
def test_it_refuses_a_revoked_token(alice, fern):
    token, raw = do_create_token(alice, name="laptop", acting_user=alice)
    do_revoke_token(token, acting_user=alice)

    response = HttpClient().get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_it_refuses_an_expired_token(alice, fern):
    _token, raw = do_create_token(
        alice, name="old", expires_at=timezone.now() - dt.timedelta(minutes=1), acting_user=alice
    )

    response = HttpClient().get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401


@pytest.mark.django_db
def test_it_accepts_a_token_that_expires_later(alice, fern):
    _token, raw = do_create_token(
        alice, name="new", expires_at=timezone.now() + dt.timedelta(days=1), acting_user=alice
    )

    response = HttpClient().get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200


@pytest.mark.django_db
def test_it_refuses_the_token_of_a_deactivated_user(alice, fern):
    headers = bearer(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response = HttpClient().get(API, **headers)

    assert response.status_code == 401
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_it_notes_when_a_token_was_last_used(alice, fern):
    token, raw = do_create_token(alice, name="script", acting_user=alice)
    assert token.last_used_at is None

    response = HttpClient().get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    used = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    assert timezone.now() - used < dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_it_notes_the_last_use_again_after_a_minute(alice, fern):
    token, raw = do_create_token(alice, name="script", acting_user=alice)
    http = HttpClient()
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        http.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        http.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")
    within_the_minute = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        http.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}")
    later = PersonalAccessToken.objects.get(pk=token.pk).last_used_at

    assert within_the_minute == start
    assert later == start + dt.timedelta(minutes=2)


@pytest.mark.django_db
def test_it_refuses_the_token_of_someone_outside_any_organization(alice, fern):
    headers = bearer(alice)
    User.objects.filter(pk=alice.pk).update(organization=None)

    response = HttpClient().get(API, **headers)

    assert response.status_code == 401


@pytest.mark.django_db
def test_it_accepts_a_signed_in_session(alice, fern):
    response = sign_in(alice).get(API)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [fern.pk]
    assert last_event(EventType.CLIENT_LIST_VIEWED).actor_id == alice.pk


@pytest.mark.django_db
def test_it_refuses_a_session_write_without_csrf_token(north_site, alice):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(alice)

    response = http.post(
        API, data=json.dumps(new_client_body(north_site.pk, alice.pk)), content_type="application/json"
    )

    assert response.status_code in (401, 403)
    assert not Client.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_CREATED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", [None, "Bearer ipt_not-a-real-token"])
def test_it_answers_401_to_a_write_without_a_valid_token(north_site, alice, authorization):
    """A script (no session, no CSRF cookie) with a missing or stale token is told to authenticate."""
    http = HttpClient(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = http.post(
        API,
        data=json.dumps(new_client_body(north_site.pk, alice.pk)),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 401
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_it_accepts_a_session_write_with_csrf_token(north_site, alice):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(alice)
    secret = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
    http.cookies["csrftoken"] = secret

    response = http.post(
        API,
        data=json.dumps(new_client_body(north_site.pk, alice.pk)),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=secret,
    )

    assert response.status_code == 201
    created = Client.objects.get(identifier="N-0100")
    event = last_event(EventType.CLIENT_CREATED)
    assert (event.actor_id, event.client_id, event.channel) == (alice.pk, created.pk, "api")


@pytest.mark.django_db
def test_it_needs_the_second_factor_for_a_session(eve, fern):
    http = HttpClient()
    http.force_login(eve)

    response = http.get(API)

    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_LIST_VIEWED).exists()


@pytest.mark.django_db
def test_it_lets_an_admin_do_intake_through_the_api_without_joining_the_team(north_site, alice, eve):
    response = call("POST", API, eve, new_client_body(north_site.pk, alice.pk))

    assert response.status_code == 201
    team = list(CareTeamMember.objects.filter(client_id=response.json()["id"]).values_list("user_id", "team_role"))
    assert team == [(alice.pk, TeamRole.PRIMARY_THERAPIST)]
    assert last_event(EventType.CLIENT_CREATED).actor_id == eve.pk


@pytest.mark.django_db
def test_it_accepts_a_bearer_write_without_csrf_token(north_site, alice):
    http = HttpClient(enforce_csrf_checks=True)

    response = http.post(
        API,
        data=json.dumps(new_client_body(north_site.pk, alice.pk)),
        content_type="application/json",
        **bearer(alice),
    )

    assert response.status_code == 201
    assert Client.objects.filter(identifier="N-0100").exists()


# ---------------------------------------------------------------------------------------------------- schema


@pytest.mark.django_db
def test_it_publishes_an_openapi_schema():
    response = HttpClient().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    paths = response.json()["paths"]
    assert "/api/v1/clients/" in paths
    assert "/api/v1/clients/{client_id}" in paths
    assert {"get", "post"} <= set(paths["/api/v1/clients/"])
    assert {"get", "patch"} <= set(paths["/api/v1/clients/{client_id}"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/clients/5/", "/api/v1/nothing-here", "/api/v2/clients/"])
def test_it_answers_unknown_api_paths_in_the_api_error_shape(alice, path):
    response = HttpClient().get(path, **bearer(alice))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_it_refuses_null_in_a_partial_update_and_changes_nothing(alice, fern):
    response = call("PATCH", f"{API}{fern.pk}", alice, {"preferred_name": None, "pronouns": "she/her"})

    assert response.status_code == 422
    assert "null is not allowed" in response.json()["errors"]["preferred_name"][0]
    assert Client.objects.get(pk=fern.pk).pronouns == ""


@pytest.mark.django_db
def test_it_answers_an_unexpected_error_in_the_api_error_shape(alice, fern, monkeypatch):
    from iptcare.clients import api as clients_api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(clients_api, "caseload_queryset", broken)
    response = HttpClient(raise_request_exception=False).get(API, **bearer(alice))

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again, or tell your administrator."
    }

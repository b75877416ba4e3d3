"""Every cell of the access matrix in docs/access.md, checked through the pages and the JSON API.

The table is read from the document itself, so the document and the code cannot drift apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import Role, User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.forms import ClientForm, form_values
from iptcare.clients.models import CareTeamMember, Client, Person
from tests.conftest import bearer, make_staff, sign_in

DOC = Path(__file__).resolve().parent.parent / "docs" / "access.md"

# Who stands in each column: (persona for client actions, persona for organization pages).
COLUMN_PERSONAS = {
    "therapist on team": ("alice", "alice"),
    "counsellor on team": ("cody", "cody"),
    "physician on team": ("pia", "pia"),
    "therapist not on team": ("tom", "tom"),
    "supervisor of a team member": ("bob", "bob"),
    "director": ("dan", "dan"),
    "director on team": ("dora", "dora"),
    "admin": ("eve", "eve"),
    "other organization": ("carol", "sam"),
}


def read_matrix() -> list[tuple[str, str, bool]]:
    lines = [line for line in DOC.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    cells = []
    for line in lines[2:]:
        row = [cell.strip() for cell in line.strip("|").split("|")]
        for column, value in zip(header[1:], row[1:], strict=True):
            assert value in ("yes", "no"), f"cell {row[0]!r} / {column!r} must be yes or no"
            cells.append((row[0], column, value == "yes"))
    return cells


MATRIX = read_matrix()


def test_it_reads_a_complete_matrix_from_the_document() -> None:
    actions = {action for action, _column, _allowed in MATRIX}
    columns = {column for _action, column, _allowed in MATRIX}
    assert actions == set(CHECKS)
    assert columns == set(COLUMN_PERSONAS)
    assert len(MATRIX) == len(CHECKS) * len(COLUMN_PERSONAS)


class World:
    """The personas and Fern, built once per test."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.fern: Client = request.getfixturevalue("fern")
        self.north_site = request.getfixturevalue("north_site")
        for name in ("alice", "bob", "cody", "pia", "tom", "dan", "dora", "eve", "carol", "sam"):
            setattr(self, name, request.getfixturevalue(name))
        self.una = make_staff(self.fern.organization, "una@north.test", "Una Ulm", Role.THERAPIST)


# Each check answers: did the persona manage to do the action, through this channel?
def check_list(w: World, user: User, channel: str) -> bool:
    if channel == "page":
        response = sign_in(user).get("/clients/", {"q": w.fern.identifier})
        assert response.status_code == 200
        listed = w.fern in response.context["page"].object_list
        # The row links to the record only for those who may open it.
        assert (f'href="/clients/{w.fern.pk}/"' in response.content.decode()) == (
            listed and Client.objects.openable_by(user).filter(pk=w.fern.pk).exists()
        )
        return listed
    response = HttpClient().get("/api/v1/clients/", {"limit": 100}, **bearer(user))
    assert response.status_code == 200
    return w.fern.pk in [item["id"] for item in response.json()["items"]]


def check_open(w: World, user: User, channel: str) -> bool:
    if channel == "page":
        response = sign_in(user).get(f"/clients/{w.fern.pk}/")
    else:
        response = HttpClient().get(f"/api/v1/clients/{w.fern.pk}", **bearer(user))
    assert response.status_code in (200, 404)
    return response.status_code == 200


def check_edit(w: World, user: User, channel: str) -> bool:
    if channel == "page":
        data = form_values(w.fern, ClientForm)
        data.update(pronouns="xe/xem", primary_substances=[], co_occurring_conditions=[])
        response = sign_in(user).post(f"/clients/{w.fern.pk}/edit/", {k: v for k, v in data.items() if v is not None})
        assert response.status_code in (302, 404)
    else:
        response = HttpClient().patch(
            f"/api/v1/clients/{w.fern.pk}",
            json.dumps({"pronouns": "xe/xem"}),
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code in (200, 404)
    return Client.objects.get(pk=w.fern.pk).pronouns == "xe/xem"


def check_create(w: World, user: User, channel: str) -> bool:
    data: dict[str, Any] = {
        "identifier": "NEW-1",
        "given_name": "Nova",
        "family_name": "Newell",
        "date_of_birth": "1990-01-02",
        "sex_at_birth": "female",
        "status": "referred",
        "status_since": "2026-01-05",
    }
    if channel == "page":
        data.update(site=w.north_site.pk, primary_therapist=w.alice.pk)
        response = sign_in(user).post("/clients/new/", data)
        assert response.status_code in (200, 302, 403)
    else:
        data.update(site_id=w.north_site.pk, primary_therapist_id=w.alice.pk)
        response = HttpClient().post(
            "/api/v1/clients/", json.dumps(data), content_type="application/json", **bearer(user)
        )
        assert response.status_code in (201, 403, 422)
    return Client.objects.filter(organization=w.fern.organization, identifier="NEW-1").exists()


def check_care_team(w: World, user: User, channel: str) -> bool:
    if channel == "page":
        response = sign_in(user).post(f"/clients/{w.fern.pk}/care-team/", {"user": w.una.pk, "team_role": "therapist"})
        assert response.status_code in (302, 404)
    else:
        response = HttpClient().post(
            f"/api/v1/clients/{w.fern.pk}/care-team",
            json.dumps({"user_id": w.una.pk, "team_role": "therapist"}),
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code in (201, 404)
    return CareTeamMember.objects.filter(client=w.fern, user=w.una).exists()


def check_people(w: World, user: User, channel: str) -> bool:
    person = {"name": "Coach", "relationship_type": "friend", "phone": "", "email": "", "notes": ""}
    if channel == "page":
        response = sign_in(user).post(f"/clients/{w.fern.pk}/people/new/", person)
        assert response.status_code in (302, 404)
    else:
        response = HttpClient().post(
            f"/api/v1/clients/{w.fern.pk}/people",
            json.dumps(person),
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code in (201, 404)
    return Person.objects.filter(client=w.fern, name="Coach").exists()


def check_staff(w: World, user: User, channel: str) -> bool:
    http = sign_in(user)
    listing = http.get("/manage/staff/")
    assert listing.status_code in (200, 403)
    response = http.post(f"/manage/staff/{w.tom.pk}/", {"full_name": "Tom Renamed", "roles": ["therapist"]})
    assert response.status_code in (302, 403, 404)
    renamed = User.objects.get(pk=w.tom.pk).full_name == "Tom Renamed"
    site_page = http.get("/manage/sites/")
    sees_north_sites = site_page.status_code == 200 and w.north_site.name in site_page.content.decode()
    assert renamed == sees_north_sites
    return renamed


def check_audit(w: World, user: User, channel: str) -> bool:
    record_event(EventType.CLIENT_VIEWED, actor=w.alice, client=w.fern, obj=w.fern)
    http = sign_in(user)
    page = http.get("/manage/audit/", {"client": w.fern.identifier})
    csv_response = http.get("/manage/audit/export.csv", {"client": w.fern.identifier})
    assert page.status_code in (200, 403)
    # The actor's address appears only in an event row (the filter box echoes the identifier back).
    page_shows = page.status_code == 200 and w.alice.email in page.content.decode()
    csv_shows = csv_response.status_code == 200 and w.alice.email in b"".join(csv_response.streaming_content).decode()
    assert page_shows == csv_shows
    return page_shows


CHECKS: dict[str, tuple[Callable[[World, User, str], bool], tuple[str, ...]]] = {
    "list the client": (check_list, ("page", "api")),
    "open the client's record": (check_open, ("page", "api")),
    "edit the client's details": (check_edit, ("page", "api")),
    "create a client": (check_create, ("page", "api")),
    "manage the care team": (check_care_team, ("page", "api")),
    "add or edit people in the client's life": (check_people, ("page", "api")),
    "manage staff and sites": (check_staff, ("page",)),
    "read and download the audit trail": (check_audit, ("page",)),
}

CASES = [
    pytest.param(action, column, allowed, channel, id=re.sub(r"\W+", "-", f"{action}-{column}-{channel}"))
    for action, column, allowed in MATRIX
    for channel in CHECKS[action][1]
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "column", "allowed", "channel"), CASES)
def test_it_applies_the_matrix_cell(
    request: pytest.FixtureRequest, action: str, column: str, allowed: bool, channel: str
) -> None:
    world = World(request)
    client_persona, org_persona = COLUMN_PERSONAS[column]
    organization_action = action in ("manage staff and sites", "read and download the audit trail")
    user = getattr(world, org_persona if organization_action else client_persona)
    check, _channels = CHECKS[action]
    assert check(world, user, channel) is allowed

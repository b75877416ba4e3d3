"""Every cell of the access matrix in docs/access.md, checked through the pages and the JSON API.

The table is read from the document itself, so the document and the code cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import Role, User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.forms import ClientForm, form_values
from iptcare.clients.models import CareTeamMember, Client, Person
from iptcare.consent.actions import do_record_consent, do_record_disclosure
from iptcare.consent.gate import Recipient
from iptcare.consent.models import Consent, ConsentRevocation, Disclosure, DisclosureSettings
from iptcare.ipt.actions import do_open_episode
from iptcare.plans.actions import do_start_plan_version
from tests.conftest import bearer, confirm_password, make_staff, sign_in
from tests.consent.conftest import rhea_recipients, single_values
from tests.consent.test_elements import api_body, page_data

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


def _tables(text: str) -> list[list[list[str]]]:
    """Each markdown table of the text as rows of cells (the separator row dropped)."""
    tables: list[list[list[str]]] = []
    previous_was_row = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not previous_was_row:
                tables.append([])
            if not all(set(cell) <= set("-: ") for cell in cells):
                tables[-1].append(cells)
        previous_was_row = is_row
    return tables


def read_matrix() -> list[tuple[str, str, bool]]:
    """The cells of every table whose first column is headed "action" (the matrix and the consents table)."""
    cells = []
    for header, *rows in (t for t in _tables(DOC.read_text()) if t and t[0][0] == "action"):
        for row in rows:
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
        self._consent: Consent | None = None

    def consent(self) -> Consent:
        """Fern's consent for her plan and the people in her life to go to Dr Rhea Reyes, recorded by Alice."""
        if self._consent is None:
            self._consent = do_record_consent(
                self.fern,
                consent_values(categories=["treatment_plan", "relationships"]),
                rhea_recipients(),
                acting_user=self.alice,
            )
        return self._consent


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
    http = confirm_password(sign_in(user))
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
    http = confirm_password(sign_in(user))
    page = http.get("/manage/audit/", {"client": w.fern.identifier})
    csv_response = http.get("/manage/audit/export.csv", {"client": w.fern.identifier})
    assert page.status_code in (200, 403)
    # The actor's address appears only in an event row (the filter box echoes the identifier back).
    page_shows = page.status_code == 200 and w.alice.email in page.content.decode()
    csv_shows = csv_response.status_code == 200 and w.alice.email in b"".join(csv_response.streaming_content).decode()
    assert page_shows == csv_shows
    return page_shows


# ------------------------------------------------------------------------------------- consents and disclosures


def consent_values(**overrides: Any) -> dict[str, Any]:
    """A complete consent, signed today (tests/consent/ freeze their own clock; this module does not)."""
    today = timezone.localdate()
    return single_values(signed_on=today, expires_on=today + dt.timedelta(days=180)) | overrides


def consent_url(w: World, rest: str = "") -> str:
    return f"/clients/{w.fern.pk}/consents/{rest}"


def consent_api(w: World, rest: str) -> str:
    return f"/api/v1/consent/clients/{w.fern.pk}/{rest}"


def api_call(method: str, url: str, user: User, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return HttpClient().generic(method, url, data or "", content_type="application/json", **bearer(user))


def page_for(user: User) -> HttpClient:
    # Revoking (and perhaps other sensitive pages) asks for a recent password: the person has just given it.
    return confirm_password(sign_in(user))


def check_consent_list(w: World, user: User, channel: str) -> bool:
    consent = w.consent()
    if channel == "page":
        response = page_for(user).get(consent_url(w))
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert consent_url(w, f"{consent.pk}/") in response.content.decode()
    else:
        response = api_call("GET", consent_api(w, "consents"), user)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert [item["id"] for item in response.json()["items"]] == [consent.pk]
    return response.status_code == 200


def check_consent_read(w: World, user: User, channel: str) -> bool:
    consent = w.consent()
    if channel == "page":
        response = page_for(user).get(consent_url(w, f"{consent.pk}/"))
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert consent.information_description in response.content.decode()
    else:
        response = api_call("GET", consent_api(w, f"consents/{consent.pk}"), user)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert response.json()["summary"].startswith("Fern Fairweather consented")
    return response.status_code == 200


def check_consent_record(w: World, user: User, channel: str) -> bool:
    values = consent_values(information_description="Recorded for the matrix")
    if channel == "page":
        response = page_for(user).post(consent_url(w, "new/"), page_data(values, rhea_recipients()))
        assert response.status_code in (302, 404)
    else:
        response = api_call("POST", consent_api(w, "consents"), user, api_body(values, rhea_recipients()))
        assert response.status_code in (201, 404)
    recorded = Consent.objects.filter(client=w.fern, recorded_by=user)
    return recorded.filter(information_description="Recorded for the matrix").exists()


def check_consent_version(w: World, user: User, channel: str) -> bool:
    consent = w.consent()
    values = consent_values(information_description="Second wording")
    if channel == "page":
        response = page_for(user).post(consent_url(w, f"{consent.pk}/change/"), page_data(values, rhea_recipients()))
        assert response.status_code in (302, 404)
    else:
        body = api_body(values, rhea_recipients())
        response = api_call("POST", consent_api(w, f"consents/{consent.pk}/versions"), user, body)
        assert response.status_code in (201, 404)
    return Consent.objects.filter(series=consent.series, version=2, recorded_by=user).exists()


def check_consent_revoke(w: World, user: User, channel: str) -> bool:
    consent = w.consent()
    written_on = timezone.localdate().isoformat()
    if channel == "page":
        revocation = {"written_on": written_on, "revoked_by_name": "Fern Fairweather", "in_writing": "on"}
        response = page_for(user).post(consent_url(w, f"{consent.pk}/revoke/"), revocation)
        assert response.status_code in (302, 404)
    else:
        body = {"written_on": written_on, "revoked_by_name": "Fern Fairweather", "in_writing": True}
        response = api_call("POST", consent_api(w, f"consents/{consent.pk}/revoke"), user, body)
        assert response.status_code in (200, 404)
    return ConsentRevocation.objects.filter(series=consent.series, recorded_by=user).exists()


def check_consent_print(w: World, user: User, channel: str) -> bool:
    consent = w.consent()
    response = page_for(user).get(consent_url(w, f"{consent.pk}/print/"))
    assert response.status_code in (200, 404)
    return response.status_code == 200


def check_print_disclosure(w: World, user: User, channel: str) -> bool:
    w.consent()
    episode = do_open_episode(w.fern, format_="individual", primary_therapist=w.alice, acting_user=w.alice)
    do_start_plan_version("relapse_prevention", episode, acting_user=w.alice)
    form = {
        "disclose": "1",
        "disclose-recipient_name": "Dr Rhea Reyes",
        "disclose-recipient_organization": "Valley Clinic",
        "disclose-purpose": "treatment",
    }
    response = page_for(user).post(f"/clients/{w.fern.pk}/episodes/{episode.pk}/plan/print/", form)
    assert response.status_code in (302, 404)
    return Disclosure.objects.filter(client=w.fern, disclosed_by=user).exists()


def check_disclosures_read(w: World, user: User, channel: str) -> bool:
    w.consent()
    disclosure = do_record_disclosure(
        w.fern,
        recipient=Recipient(name="Dr Rhea Reyes", organization="Valley Clinic"),
        purpose="treatment",
        categories=["treatment_plan"],
        document="Relapse-prevention plan, version 1",
        channel=Disclosure.Channel.PRINT,
        acting_user=w.alice,
    )
    if channel == "page":
        response = page_for(user).get(consent_url(w, "disclosures/"))
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert disclosure.document in response.content.decode()
    else:
        response = api_call("GET", consent_api(w, "disclosures"), user)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert [item["id"] for item in response.json()["items"]] == [disclosure.pk]
    return response.status_code == 200


def check_gate(w: World, user: User, channel: str) -> bool:
    w.consent()
    question = {
        "recipient_name": "Dr Rhea Reyes",
        "recipient_organization": "Valley Clinic",
        "purpose": "treatment",
        "categories": ["treatment_plan"],
    }
    response = api_call("POST", consent_api(w, "check"), user, question)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert response.json()["allowed"] is True
    return response.status_code == 200


def check_notice_setting(w: World, user: User, channel: str) -> bool:
    if channel == "page":
        response = page_for(user).post("/manage/disclosures/", {"notice_form": "long"})
        assert response.status_code in (302, 403)
    else:
        response = api_call("PUT", "/api/v1/consent/settings", user, {"notice_form": "long"})
        assert response.status_code in (200, 403)
    # South's admin changes South's notice; the cell is about North's.
    return DisclosureSettings.for_organization(w.fern.organization_id).notice_form == "long"


CHECKS: dict[str, tuple[Callable[[World, User, str], bool], tuple[str, ...]]] = {
    "list the client": (check_list, ("page", "api")),
    "open the client's record": (check_open, ("page", "api")),
    "edit the client's details": (check_edit, ("page", "api")),
    "create a client": (check_create, ("page", "api")),
    "manage the care team": (check_care_team, ("page", "api")),
    "add or edit people in the client's life": (check_people, ("page", "api")),
    "manage staff and sites": (check_staff, ("page",)),
    "read and download the audit trail": (check_audit, ("page",)),
    "list a client's consents": (check_consent_list, ("page", "api")),
    "read a consent": (check_consent_read, ("page", "api")),
    "record a consent": (check_consent_record, ("page", "api")),
    "record a new version of a consent": (check_consent_version, ("page", "api")),
    "revoke a consent": (check_consent_revoke, ("page", "api")),
    "print the consent form": (check_consent_print, ("page",)),
    "print a plan for an outside recipient (a disclosure)": (check_print_disclosure, ("page",)),
    "read the accounting of disclosures": (check_disclosures_read, ("page", "api")),
    "ask the gate whether a disclosure is covered": (check_gate, ("api",)),
    "change the organization's notice setting": (check_notice_setting, ("page", "api")),
}
# Actions on the organization rather than on Fern: "other organization" is then South's admin.
ORGANIZATION_ACTIONS = (
    "manage staff and sites",
    "read and download the audit trail",
    "change the organization's notice setting",
)

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
    organization_action = action in ORGANIZATION_ACTIONS
    user = getattr(world, org_persona if organization_action else client_persona)
    check, _channels = CHECKS[action]
    assert check(world, user, channel) is allowed

"""A client sees their own data only: never a staff page or the staff API, never another client's data. And a staff
member is not a client: the portal sends them to its sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from iptcare.accounts.models import User
from iptcare.clients.models import Client, Person
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_add_schedule
from iptcare.portal.actions import do_create_client_token
from iptcare.portal.models import ClientAccount
from iptcare.substance_use.models import CheckIn
from tests.conftest import bearer, sign_in
from tests.portal.conftest import CLIENT_PASSWORD, portal_sign_in, signed_note

pytestmark = pytest.mark.django_db

# Pages anyone may open without signing in (sign-in, password reset, invitations, questionnaire links, the API's
# schema): a client gets them exactly as an anonymous visitor does.
PUBLIC = re.compile(r"^/($|accounts/(login|password/reset|invite)|r/|sessions/feed/|api/v1/(openapi\.json|docs)$)")


def every_path(patterns: list[Any] | None = None, prefix: str = "/") -> Iterator[str]:
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from every_path(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def concrete(path: str, ids: dict[str, int]) -> str | None:
    """A path with real ids of Fern's world put in (the regex catch-all is left out)."""
    if path.startswith("/^"):
        return None

    def value(match: re.Match[str]) -> str:
        name = match.group(2)
        if name == "kind":
            return "relapse-prevention"
        if name in ("code", "section"):
            return "PHQ-9" if name == "code" else "triggers"
        return str(ids.get(name, 1)) if match.group(1) in ("int:", "") else "x"

    return re.sub(r"<(int:|str:)?(\w+)>", value, path)


def staff_paths(ids: dict[str, int]) -> list[str]:
    paths = [concrete(p, ids) for p in every_path()]
    return sorted({p for p in paths if p and not p.startswith(("/me/", "/api/v1/me/")) and p != "/accounts/logout/"})


@pytest.fixture
def world(fern_account: ClientAccount, episode: Episode, alice: User) -> dict[str, int]:
    note = signed_note(episode, homework="Walk each morning.")
    return {
        "client_id": fern_account.client_id,
        "episode_id": episode.pk,
        "session_id": note.session_id,
        "person_id": fern_account.client.people.first().pk,
        "user_id": alice.pk,
    }


def outcome(response: Any) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_a_signed_in_client_gets_exactly_what_an_anonymous_visitor_gets_on_every_staff_address(
    world: dict[str, int], fern_account: ClientAccount
) -> None:
    client_http = portal_sign_in(fern_account)
    anonymous = HttpClient()
    paths = staff_paths(world)
    assert len(paths) > 150
    for path in paths:
        for method in ("get", "post"):
            theirs = outcome(getattr(client_http, method)(path))
            nobody = outcome(getattr(anonymous, method)(path))
            assert theirs == nobody, (method, path, theirs, nobody)
            if not PUBLIC.match(path):
                status, location = theirs
                assert status in (401, 403, 404, 405) or location.startswith("/accounts/login/"), (path, theirs)
    # Still signed in to the portal afterwards: nothing above was mistaken for their own pages.
    assert client_http.get("/me/").status_code == 200


def test_a_client_token_is_refused_on_every_staff_endpoint(world: dict[str, int], fern_account: ClientAccount) -> None:
    _token, raw = do_create_client_token(fern_account, name="phone")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    api_paths = [p for p in staff_paths(world) if p.startswith("/api/") and not PUBLIC.match(p)]
    assert len(api_paths) > 50
    http = HttpClient()
    for path in api_paths:
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(http, method)(path, content_type="application/json", **headers)
            assert response.status_code in (401, 404, 405), (method, path, response.status_code)
    assert http.get("/api/v1/me/today", **headers).status_code == 200


def test_staff_tokens_and_staff_sessions_are_refused_on_the_client_api(fern: Client, alice: User) -> None:
    assert HttpClient().get("/api/v1/me/today", **bearer(alice)).status_code == 401
    assert sign_in(alice).get("/api/v1/me/today").status_code == 401
    assert HttpClient().get("/api/v1/me/today").status_code == 401


def test_a_staff_member_is_not_a_client(alice: User, fern_account: ClientAccount) -> None:
    staff = sign_in(alice)
    assert staff.get("/me/")["Location"] == "/me/login/?next=%2Fme%2F"
    page = staff.get("/me/login/").content.decode()
    assert "You are signed in as staff in this browser" in page
    refused = staff.post("/me/login/", {"login_name": alice.email, "password": "correct horse battery staple"})
    assert "is not right" in refused.content.decode()
    assert not ClientAccount.objects.filter(login_name=alice.email).exists()


def test_signing_in_to_the_portal_ends_a_staff_session_in_that_browser(
    alice: User, fern_account: ClientAccount
) -> None:
    browser = sign_in(alice)
    assert browser.get("/clients/").status_code == 200
    portal_sign_in(fern_account, browser)
    assert browser.get("/me/").status_code == 200
    assert browser.get("/clients/")["Location"].startswith("/accounts/login/")


def test_a_staff_sign_in_in_the_same_browser_ends_the_portal_session(alice: User, fern_account: ClientAccount) -> None:
    browser = portal_sign_in(fern_account)
    browser.post("/accounts/login/", {"username": alice.email, "password": "correct horse battery staple"})
    assert browser.get("/clients/").status_code == 200
    assert browser.get("/me/").status_code == 302


def test_a_client_sees_none_of_another_clients_data(
    fern_http: HttpClient, fern: Client, gus: Client, alice: User, episode: Episode
) -> None:
    from tests.portal.conftest import open_unscheduled_episode

    gus_episode = open_unscheduled_episode(gus, alice)
    signed_note(gus_episode, homework="Gus: phone the housing office.")
    do_add_schedule(gus, "GAD-7", "every_n_days", interval_days=7, acting_user=alice)
    Person.objects.create(client=gus, name="Gus's brother", relationship_type="sibling", is_support_contact=True)
    CheckIn.objects.create(organization=gus.organization, client=gus, date=fern.created_at.date(), used=False)

    pages = "".join(fern_http.get(url).content.decode() for url in ("/me/", "/me/contacts/", "/me/plan/"))
    for private in ("Gus", "housing office", "GAD-7"):
        assert private not in pages
    assert fern_http.get("/me/questionnaires/GAD-7/")["Location"] == "/me/"
    assert fern_http.get("/me/homework/")["Location"] == "/me/"
    # Someone else's person cannot be named in a check-in.
    brother = Person.objects.get(client=gus)
    response = fern_http.post("/me/check-in/", {"used": "no", "person": str(brother.pk)})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not CheckIn.objects.filter(client=fern).exists()


def test_the_client_api_has_no_client_id_and_answers_only_about_its_owner(
    fern_account: ClientAccount, gus: Client
) -> None:
    _token, raw = do_create_client_token(fern_account, name="phone")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient()
    brother = Person.objects.create(client=gus, name="Gus's brother", relationship_type="sibling")
    response = http.post(
        "/api/v1/me/check-ins",
        {"used": False, "person_id": brother.pk},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert "person_id" in response.json()["errors"]
    assert "Gus" not in http.get("/api/v1/me/today", **headers).content.decode()


def test_the_sign_in_page_does_not_sign_in_someone_else_with_fern_s_password(
    fern_account: ClientAccount, gus: Client
) -> None:
    response = HttpClient().post("/me/login/", {"login_name": "gus", "password": CLIENT_PASSWORD + "x"})
    assert "is not right" in response.content.decode()

"""Crawl every URL pattern as every persona and check that no organization sees another's data.

North and South each get a client record with everything a page can show (people, an episode with its assessment,
inventory, timeline, triggers, formulation, contract, a held session with a signed note, measures and an alert, a
questionnaire link, use data, plans, a consent and a disclosure, a group with notes, a counselling note, an ended
emergency access), a site, a staff member and a token — every text marked "Zqxsouth…" or "Zqxnorth…"
(tests/crawl/world.py). The URL patterns are discovered at run time (tests/crawl/crawler.py). Signed in as each
persona, on the pages with a session and on the API with a bearer token, the crawl:

1. requests every pattern filled with the OTHER organization's ids (GET; for North's therapist and South's admin
   also every other method the route has: POST for pages, the OpenAPI methods for the API): each answer must be a
   refusal (403, 404, 405, a schema error, or a redirect to sign in or to confirm the password) and show none of
   the other organization's markers; afterwards not one row of the database has changed (the audit trail aside);
2. for North's therapist, who may open everything of her world, requests every pattern with several objects filled
   with her OWN outer objects and the other organization's inner ones (/clients/<own>/episodes/<own>/sessions/
   <other>/…): refused the same way, or sent back with a message to the page of her own outer object;
3. requests every pattern without parameters (lists, dashboards, settings, the audit trail — which by then holds
   the refusals of steps 1 and 2) and, for North's therapist and South's admin, every pattern filled with their OWN
   organization's ids, plain and with a query naming the other organization's objects (filters, ?disclosure= on a
   print page): no answer shows another organization's marker, and none is a server error.

Routes keyed by a secret (questionnaire links, calendar addresses, e-mailed links) are requested with a wrong
secret only; crawler.SECRET_ROUTES lists them with the reason. A URL parameter the crawl cannot fill fails
`test_every_url_parameter_is_mapped`, so a new page cannot escape the crawl.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from tests.conftest import bearer, confirm_password, sign_in
from tests.crawl import crawler
from tests.crawl.world import OrgData, build_org_data

NORTH_PERSONAS = ("alice", "bob", "cody", "pia", "tom", "dan", "dora", "eve")
SOUTH_PERSONAS = ("carol", "sam")
# Every persona GETs every URL with the other organization's ids and every page without parameters. To keep the
# crawl near a minute, the rest is done once per kind of access: North's therapist (who may open and change every
# object of her world) and South's admin (who runs the organization pages) also try every method and crawl their
# own organization's pages, and the therapist tries the mixed URLs. The views check the same way in both directions.
FULL_PERSONAS = ("alice", "sam")
MIXED_PERSONAS = ("alice",)
# What shows that a response holds an organization's data (compared in lower case). Fern is North's client.
MARKERS = {"north": ("zqxnorth", "fairweather"), "south": ("zqxsouth",)}
# Where a refused page may send a person: to sign in (staff or portal) or to confirm their password first.
REFUSAL_REDIRECTS = ("/accounts/login/", "/me/login/", "/accounts/confirm-password/", "/accounts/2fa/")
PAGE_REFUSALS = {400, 403, 404, 405}
# 401 for the client portal's API (a staff token is no client token), 422 when the request's shape is refused
# before any record is looked at.
API_REFUSALS = {400, 401, 403, 404, 405, 422}


def test_every_url_parameter_is_mapped() -> None:
    routes, unknown_regex = crawler.discover()
    assert len(routes) > 250  # pages and API routes alike
    assert any(route.is_api for route in routes) and any(not route.is_api for route in routes)
    assert unknown_regex == [], f"regex URL patterns the crawl cannot fill; list them in REGEX_ROUTES: {unknown_regex}"
    assert crawler.unmapped_parameters(routes) == []
    # Every API route is in the schema, so the crawl knows its methods.
    methods = crawler.api_methods()
    missing = [r.openapi_path for r in routes if r.is_api and r.params and r.openapi_path not in methods]
    assert missing == []


@dataclass
class Worlds:
    north: OrgData
    south: OrgData


@pytest.fixture
def worlds(request: pytest.FixtureRequest, db: None) -> Worlds:
    """Both organizations' data, after every persona exists (so the care teams are those of tests/conftest.py)."""
    for name in (*NORTH_PERSONAS, *SOUTH_PERSONAS):
        request.getfixturevalue(name)
    fern = request.getfixturevalue("fern")
    south = build_org_data(
        "Zqxsouth", request.getfixturevalue("south"), request.getfixturevalue("carol"), domain="south.test"
    )
    north = build_org_data(
        "Zqxnorth", request.getfixturevalue("north"), request.getfixturevalue("alice"), client=fern, domain="north.test"
    )
    return Worlds(north=north, south=south)


@dataclass
class Crawler:
    user: User
    forbidden: tuple[str, ...]
    own_markers: tuple[str, ...]
    failures: list[str] = field(default_factory=list)
    requests: int = 0
    own_data_seen: int = 0

    def __post_init__(self) -> None:
        # Pages behind a recent password confirmation are crawled as they show, not as the confirm page.
        self.page = confirm_password(sign_in(self.user))
        self.api = HttpClient(**bearer(self.user))
        for http in (self.page, self.api):
            http.raise_request_exception = False

    def send(
        self, method: str, url: str, *, api: bool, query: dict[str, str] | None = None
    ) -> tuple[HttpResponse, str]:
        self.requests += 1
        http = self.api if api else self.page
        if method == "GET":
            response = http.get(url, query)
        elif api:
            response = http.generic(method, url, json.dumps({}), content_type="application/json")
        else:
            response = http.post(url, {})
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode(errors="replace")
        else:
            body = response.content.decode(errors="replace")
        lowered = body.lower()
        shown = [marker for marker in self.forbidden if marker in lowered]
        if shown:
            self.failures.append(f"{method} {url} → {response.status_code} shows {shown}")
        if any(marker in lowered for marker in self.own_markers):
            self.own_data_seen += 1
        return response, body

    def assert_still_signed_in(self) -> None:
        """Refusals prove nothing if the session or the token stopped working along the way."""
        assert self.page.get("/clients/").status_code == 200
        assert self.api.get("/api/v1/clients/").status_code == 200

    def expect_refused(self, method: str, url: str, *, api: bool, mixed: bool = False) -> None:
        response, _body = self.send(method, url, api=api)
        status = response.status_code
        if status in (API_REFUSALS if api else PAGE_REFUSALS):
            return
        redirect = response["Location"] if status in (301, 302, 303) else ""
        if not api and redirect.startswith(REFUSAL_REDIRECTS):
            return
        if mixed and redirect and url.startswith(redirect):
            # Refused with a message, back to the page of the persona's own outer object (an incident that is not
            # part of this note, a meeting that is not this member's): that page must not show the inner object.
            self.send("GET", redirect, api=False)
            return
        where = f" to {redirect}" if redirect else ""
        self.failures.append(f"{method} {url} → {status}{where}: not refused")

    def expect_no_error(self, url: str, *, api: bool, query: dict[str, str] | None = None) -> None:
        response, _body = self.send("GET", url, api=api, query=query)
        if response.status_code >= 500:
            self.failures.append(f"GET {url} {query or ''} → {response.status_code}")


def methods_of(route: crawler.Route, api_methods: dict[str, set[str]], *, every_method: bool) -> list[str]:
    if not every_method:
        return ["GET"]
    if route.is_api:
        return sorted(api_methods.get(route.openapi_path, {"GET"}))
    return ["GET", "POST"]


PERSONAS = [pytest.param(name, "north", id=name) for name in NORTH_PERSONAS] + [
    pytest.param(name, "south", id=name) for name in SOUTH_PERSONAS
]


@pytest.mark.parametrize(("persona", "home"), PERSONAS)
def test_no_persona_sees_another_organizations_data(
    request: pytest.FixtureRequest, worlds: Worlds, persona: str, home: str
) -> None:
    user = request.getfixturevalue(persona)
    own, other = (worlds.north, worlds.south) if home == "north" else (worlds.south, worlds.north)
    away = "south" if home == "north" else "north"
    crawl = Crawler(user, forbidden=MARKERS[away], own_markers=MARKERS[home])
    routes, _unknown = crawler.discover()
    api_methods = crawler.api_methods()
    with_objects = [r for r in routes if crawler.object_param_count(r)]
    secret = [r for r in routes if crawler.SECRET_PARAMS & set(r.params)]
    plain = [r for r in routes if not r.params]
    full = persona in FULL_PERSONAS

    # 1. The other organization's ids: refused, nothing shown, and (every method tried) nothing changed.
    before = crawler.snapshot()
    for route in with_objects:
        for url in crawler.fill(route, lambda _position, _name: other):
            for method in methods_of(route, api_methods, every_method=full):
                crawl.expect_refused(method, url, api=route.is_api)
    # 2. Own outer objects around the other organization's inner ones.
    if persona in MIXED_PERSONAS:
        for route in with_objects:
            count = crawler.object_param_count(route)
            for own_count in range(1, count):
                urls = crawler.fill(route, lambda position, _name, k=own_count: own if position < k else other)
                for url in urls:
                    for method in methods_of(route, api_methods, every_method=True):
                        crawl.expect_refused(method, url, api=route.is_api, mixed=True)
    assert crawler.snapshot_changes(before, crawler.snapshot()) == []
    crawl.assert_still_signed_in()

    # 3. Own ids and wrong secrets, then every page without parameters (the audit trail last of all, when it holds
    # the refusals above).
    # With a query naming the other organization's objects too (filters, ?disclosure= on a print page, …).
    hostile = crawler.hostile_query(other)
    if full:
        for route in [*with_objects, *secret]:
            for url in crawler.fill(route, lambda _position, _name: own):
                crawl.expect_no_error(url, api=route.is_api)
                if persona in MIXED_PERSONAS and not route.is_api:
                    crawl.expect_no_error(url, api=False, query=hostile)
    for route in sorted(plain, key=lambda r: "audit" in r.route):
        crawl.expect_no_error(route.url({}), api=route.is_api)
        if full:
            crawl.expect_no_error(route.url({}), api=route.is_api, query=hostile)

    assert crawl.failures == [], f"{len(crawl.failures)} of {crawl.requests} requests:\n" + "\n".join(crawl.failures)
    crawl.assert_still_signed_in()
    if persona in MIXED_PERSONAS:
        # The crawl reached real data: the persona's own record, notes, plans, groups… showed on many pages.
        assert crawl.own_data_seen > 100

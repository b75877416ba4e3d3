"""Finding every URL pattern at run time and filling it with one organization's ids.

The patterns come from the project's URL resolver (pages and the ninja API under /api/v1/), and the API's methods
from its OpenAPI schema, so a page or endpoint added later is crawled without a change here. Each URL parameter
name must be known below: a new name makes `unmapped_parameters()` non-empty and the crawl test fails until the
name is mapped to an object (or listed, with its reason, as one the crawl cannot fill).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from tests.crawl.world import OrgData

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    route: str  # "clients/<int:client_id>/" as the resolver has it, without the leading slash
    name: str
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)

    @property
    def openapi_path(self) -> str:
        """The route as the API's schema names it, without the /api/v1 prefix."""
        return PARAMETER.sub(lambda m: "{" + m["name"] + "}", self.route.removeprefix(API_PREFIX)).strip("/")

    def url(self, values: dict[str, str]) -> str:
        return "/" + PARAMETER.sub(lambda m: values[m["name"]], self.route)


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str, bool]]:
    for pattern in patterns:
        is_regex = isinstance(pattern.pattern, RegexPattern)
        if isinstance(pattern, URLResolver):
            for route, name, regex in _walk(pattern.url_patterns, prefix + str(pattern.pattern)):
                yield route, name, regex or is_regex
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or "", is_regex


# Regular-expression patterns cannot be filled from parameter names; each is listed with the reason it needs none.
REGEX_ROUTES = {
    "^api/": "the catch-all that answers 404 in the API's error shape for any unknown /api/ address; it shows nothing",
}


def discover() -> tuple[list[Route], list[str]]:
    """Every routable pattern (one per route string), and any regex pattern that is not listed in REGEX_ROUTES."""
    routes: dict[str, Route] = {}
    unknown_regex = []
    for route, name, is_regex in _walk(get_resolver().url_patterns):
        if is_regex:
            if route not in REGEX_ROUTES:
                unknown_regex.append(route)
            continue
        params = tuple(m["name"] for m in PARAMETER.finditer(route))
        routes.setdefault(route, Route(route, name, params))
    return list(routes.values()), unknown_regex


def api_methods() -> dict[str, set[str]]:
    """{"clients/{client_id}": {"GET", "PATCH"}, …} from the API's OpenAPI schema."""
    from iptcare.api import api

    schema = api.get_openapi_schema(path_prefix="")
    return {path.strip("/"): {method.upper() for method in ops} for path, ops in schema["paths"].items()}


# ------------------------------------------------------------------------------------------------------------ values

Filler = Callable[[OrgData, Route], list[str]]


def _ids(*getters: Callable[[OrgData, Route], Any]) -> Filler:
    return lambda data, route: [str(getter(data, route).pk) for getter in getters]


def _member(data: OrgData, route: Route) -> Any:
    return data.group_member if "group_id" in route.params else data.member


def _token(data: OrgData, route: Route) -> Any:
    # Under a client, a token is an outside recipient's (iptcare/release/); elsewhere a staff member's API token.
    if "client_id" in route.params and data.recipient_token is not None:
        return data.recipient_token
    return data.token


def _session(data: OrgData, route: Route) -> Any:
    if "group_id" not in route.params:
        return data.session
    # The pre-group meeting is an individual session in the member's episode.
    return data.pre_group_session if "pre-group" in route.route else data.group_session


# Parameters that name an object of an organization: filled with that organization's object.
OBJECT_PARAMS: dict[str, Filler] = {
    "client_id": _ids(lambda d, r: d.client),
    "member_id": _ids(_member),
    "person_id": _ids(lambda d, r: d.person),
    "episode_id": _ids(lambda d, r: d.episode),
    "session_id": _ids(_session),
    "incident_id": _ids(lambda d, r: d.incident),
    "entry_id": _ids(lambda d, r: d.entry),
    "event_id": _ids(lambda d, r: d.event),
    "trigger_id": _ids(lambda d, r: d.trigger),
    "area_id": _ids(lambda d, r: d.area),
    "goal_id": _ids(lambda d, r: d.goal),
    "administration_id": _ids(lambda d, r: d.administration),
    "alert_id": _ids(lambda d, r: d.alert),
    "link_id": _ids(lambda d, r: d.link),
    "consent_id": _ids(lambda d, r: d.consent),
    "note_id": _ids(lambda d, r: d.counselling_note),
    "group_id": _ids(lambda d, r: d.group),
    "grant_id": _ids(lambda d, r: d.grant),
    "user_id": _ids(lambda d, r: d.staffer),
    "site_id": _ids(lambda d, r: d.site),
    "token_id": _ids(_token),
}


def _section(data: OrgData, route: Route) -> list[str]:
    return ["warning_signs"] if "safety-plan" in route.route else ["reasons"]


# Parameters that name no object (a questionnaire, a plan kind or section, a version number): the same values for
# every organization; the object parameters around them decide whose data it is.
VALUE_PARAMS: dict[str, Filler] = {
    "code": lambda d, r: ["PHQ-9"],
    "kind": lambda d, r: ["relapse-prevention", "safety-plan"],
    "section": _section,
    "version": lambda d, r: ["1"],
}

# Parameters that are secrets handed to one person (an e-mailed or printed link, a calendar address): the secret is
# the key, not the signed-in organization, so another organization's secret is not a leak. The crawl requests these
# routes with a wrong secret only (nothing may show), and each route is listed with what its secret is.
SECRET_PARAMS = {"token", "uidb64"}
SECRET_ROUTES = {
    "self_report": "a questionnaire link sent to one client; tested in tests/measures/test_self_report_links.py",
    "calendar_feed": "a therapist's secret calendar address; tested in tests/therapy/",
    "password_reset_confirm": "a password-reset link e-mailed to one person; tested in tests/test_auth.py",
    "invitation_accept": "a staff invitation e-mailed to one person; tested in tests/test_staff_admin.py",
    "portal_invitation": "a portal invitation sent to one client; tested in tests/portal/test_accounts.py",
}
WRONG_SECRET = {"token": "wrong-secret-value", "uidb64": "MTIzNDU2"}


def unmapped_parameters(routes: list[Route]) -> list[str]:
    problems = []
    for route in routes:
        for param in route.params:
            if param not in OBJECT_PARAMS and param not in VALUE_PARAMS and param not in SECRET_PARAMS:
                problems.append(f"/{route.route}: parameter {param!r} is not mapped in tests/crawl/crawler.py")
        if SECRET_PARAMS & set(route.params) and route.name not in SECRET_ROUTES:
            problems.append(f"/{route.route} ({route.name}): a secret-keyed route not listed in SECRET_ROUTES")
    return problems


def fill(route: Route, data_for: Callable[[int, str], OrgData]) -> list[str]:
    """Every URL of `route` with its object parameters filled from `data_for(position, name)` (position counts the
    object parameters from the left), its value parameters with each of their values, its secrets wrong."""
    choices: list[list[tuple[str, str]]] = []
    position = 0
    for param in route.params:
        if param in OBJECT_PARAMS:
            values = OBJECT_PARAMS[param](data_for(position, param), route)
            position += 1
        elif param in VALUE_PARAMS:
            values = VALUE_PARAMS[param](data_for(0, param), route)
        else:
            values = [WRONG_SECRET[param]]
        choices.append([(param, value) for value in values])
    return [route.url(dict(combination)) for combination in itertools.product(*choices)]


def hostile_query(other: OrgData) -> dict[str, str]:
    """Query parameters the pages and the API read (filters, a version, a disclosure to print), naming the other
    organization's objects: a page must not show them because it was asked to."""
    ids = {
        "site": other.site.pk,
        "site_id": other.site.pk,
        "person": other.person.pk,
        "disclosure": other.disclosure.pk,
        "actor": other.staffer.pk,
        "therapist": other.staffer.pk,
        "client_id": other.client.pk,
        "episode_id": other.episode.pk,
    }
    # An identifier without a marker: a search box shows back what was typed.
    identifier = other.group_member.client.identifier
    return {name: str(value) for name, value in ids.items()} | {"client": identifier, "q": identifier, "print": "1"}


def object_param_count(route: Route) -> int:
    return sum(1 for param in route.params if param in OBJECT_PARAMS)


# ---------------------------------------------------------------------------------------------------------- snapshot

# Rows that a refused request may still write: the audit trail itself, sessions and sign-in bookkeeping.
SNAPSHOT_SKIPPED_MODELS = {
    "audit.auditevent",
    "sessions.session",
    "axes.accessfailurelog",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accesslog",
}
SNAPSHOT_SKIPPED_FIELDS = {"accounts.user": {"last_login"}, "accounts.personalaccesstoken": {"last_used_at"}}


def snapshot() -> dict[str, set[str]]:
    """Every row of every table (but the audit trail and sign-in bookkeeping), to prove a crawl changed nothing."""
    tables: dict[str, set[str]] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SNAPSHOT_SKIPPED_MODELS or not model._meta.managed:
            continue
        skipped = SNAPSHOT_SKIPPED_FIELDS.get(label, set())
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in skipped and f.attname not in skipped]
        tables[label] = {repr(row) for row in model._base_manager.values_list(*fields)}
    return tables


def snapshot_changes(before: dict[str, set[str]], after: dict[str, set[str]]) -> list[str]:
    changes = []
    for label, rows in before.items():
        added, removed = after[label] - rows, rows - after[label]
        if added or removed:
            changes.append(f"{label}: {len(added)} rows added or changed, {len(removed)} removed or changed")
    return changes

"""CSRF protection on every form.

Django's CsrfViewMiddleware checks every POST unless a view is marked csrf_exempt. The only exempt views are the JSON
API's (django-ninja marks its operations exempt and checks CSRF itself where it matters): a call with a bearer token
carries no cookie a browser would send on its own, so there is nothing to forge; a call authenticated by the browser
session (StaffSessionAuth, a ninja SessionAuth) gets ninja's own CSRF check, which the last test shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from tests.conftest import PASSWORD, bearer

ROOT = Path(__file__).resolve().parents[2]


def every_route(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_the_csrf_middleware_is_on() -> None:
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert settings.CSRF_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_no_view_is_exempt_but_the_json_api() -> None:
    routes = list(every_route())
    assert len(routes) > 100
    exempt = [(route, view) for route, view in routes if getattr(view, "csrf_exempt", False)]
    assert exempt, "django-ninja's operations are expected to be exempt; check this test if that changed"
    for route, view in exempt:
        assert route.startswith("api/v1/"), route
        assert view.__module__.startswith("ninja."), (route, view.__module__)


def test_every_post_form_in_the_templates_carries_the_token() -> None:
    folders = [ROOT / "templates", *ROOT.glob("iptcare/*/templates")]
    forms = 0
    for template in (path for folder in folders for path in folder.rglob("*.html")):
        text = template.read_text()
        for match in re.finditer(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I):
            forms += 1
            assert "{% csrf_token %}" in match.group(1), f"{template.relative_to(ROOT)}: {match.group(0)[:80]}"
    assert forms > 50


def test_a_page_form_without_the_token_is_refused(alice: User) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    refused = http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert refused.status_code == 403
    page = http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    form = {"username": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    accepted = http.post("/accounts/login/", form)
    assert accepted.status_code == 302


def test_the_api_checks_csrf_for_the_session_and_not_for_tokens(alice: User, fern: Client) -> None:
    body = json.dumps({"name": "Coach", "relationship_type": "friend"})
    path = f"/api/v1/clients/{fern.pk}/people"
    session = HttpClient(enforce_csrf_checks=True)
    session.force_login(alice)
    assert session.post(path, body, content_type="application/json").status_code == 403
    session.get("/clients/")  # a page with a form sets the CSRF cookie
    token = session.cookies[settings.CSRF_COOKIE_NAME].value
    assert session.post(path, body, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 201
    with_token = HttpClient(enforce_csrf_checks=True)
    other = json.dumps({"name": "Neighbour", "relationship_type": "friend"})
    assert with_token.post(path, other, content_type="application/json", **bearer(alice)).status_code == 201

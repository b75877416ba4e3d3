"""The Content-Security-Policy: on every answer, with no inline script or style anywhere in what we send."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_timeline import do_add_timeline_event
from iptcare.measures.actions import do_record_administration
from iptcare.measures.links import do_create_link
from iptcare.portal.models import ClientAccount, PortalSettings
from tests.conftest import confirm_password, sign_in
from tests.portal.conftest import portal_sign_in

ROOT = Path(__file__).resolve().parents[2]
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def policy_of(response) -> dict[str, str]:
    """The header's directives, in any order."""
    parts = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in parts}


EXPECTED = policy_of({"Content-Security-Policy": POLICY})


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block: inline scripts, style elements and attributes,
    and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        # A JSON data block is not run: it is allowed (django-ninja's API docs keep their settings in one).
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.found.append(f'{name}="…" on <{tag}> at line {self.getpos()[0]}')
        if names.get("href", "") and str(names["href"]).lower().startswith("javascript:"):
            self.found.append(f"javascript: link at line {self.getpos()[0]}")


def inline_in(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_policy_allows_nothing_inline() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    flat = " ".join(value for values in directives.values() for value in values)
    assert "'unsafe-inline'" not in flat and "'unsafe-eval'" not in flat and "*" not in flat
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/me/login/", "/r/nothing-here/", "/api/v1/openapi.json", "/no-such-page/"]
)
def test_every_answer_carries_the_policy(path: str) -> None:
    response = HttpClient().get(path)
    assert policy_of(response) == EXPECTED


def test_the_templates_have_no_inline_script_or_style() -> None:
    folders = [ROOT / "templates", *ROOT.glob("iptcare/*/templates")]
    templates = [path for folder in folders for path in folder.rglob("*.html")]
    assert len(templates) > 100
    problems = {str(path.relative_to(ROOT)): inline_in(path.read_text()) for path in templates}
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_finder_finds_what_the_policy_blocks() -> None:
    assert len(inline_in('<script>alert(1)</script><p style="x" onclick="y"><style>p{}</style>')) == 4
    assert inline_in('<script src="/static/a.js" defer></script><script type="application/json">{}</script>') == []


def test_the_pages_as_rendered_have_no_inline_script_or_style(
    fern: Client, alice: User, eve: User, fern_account: ClientAccount
) -> None:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    for year, mood in ((2019, 3), (2022, 7)):
        event = {"date": dt.date(year, 1, 1), "date_is_approximate": False, "event_type": "other", "title": "Move"}
        do_add_timeline_event(episode, {**event, "mood": mood, "use_change": "", "note": ""}, acting_user=alice)
    answers = {str(n): 1 for n in range(1, 9)} | {"9": 0}
    do_record_administration(fern, "PHQ-9", answers, acting_user=alice)
    _link, link_url = do_create_link(fern, "GAD-7", acting_user=alice, base_url="")
    PortalSettings.objects.create(organization=fern.organization, show_progress=True)

    staff = sign_in(alice)
    pages = {
        path: staff.get(path)
        for path in (
            "/clients/",
            f"/clients/{fern.pk}/",
            f"/clients/{fern.pk}/measures/",
            f"/clients/{fern.pk}/episodes/{episode.pk}/",
            f"/clients/{fern.pk}/episodes/{episode.pk}/timeline/",
            "/accounts/settings/",
            "/accounts/2fa/setup/",
            "/accounts/confirm-password/",
        )
    }
    admin = confirm_password(sign_in(eve))
    pages.update({path: admin.get(path) for path in ("/manage/security/", "/manage/staff/", "/manage/audit/")})
    client = portal_sign_in(fern_account)
    pages.update({path: client.get(path) for path in ("/me/", "/me/progress/", "/me/settings/")})
    pages[link_url] = HttpClient().get(link_url)
    pages["/api/v1/docs"] = HttpClient().get("/api/v1/docs")

    for path, response in pages.items():
        assert response.status_code == 200, path
        assert policy_of(response) == EXPECTED, path
        assert inline_in(response.content.decode()) == [], path
    assert "timeline-size-" in pages[f"/clients/{fern.pk}/episodes/{episode.pk}/timeline/"].content.decode()


@pytest.mark.django_db
def test_the_api_docs_load_their_scripts_from_this_site() -> None:
    html = HttpClient().get("/api/v1/docs").content.decode()
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in html and 'src="/static/ninja/swagger-ui-init.js"' in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert HttpClient().get("/api/v1/openapi.json").json()["info"]["title"] == "iptcare API"

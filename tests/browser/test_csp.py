"""The Content-Security-Policy (docs/security.md) in a real browser blocks nothing we send: pages, the timeline chart
and the API docs all work."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_timeline import do_add_timeline_event
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in_as

pytestmark = pytest.mark.browser


def watch_for_violations(tab: Page) -> list[str]:
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    tab.on("console", on_console)
    return found


def test_pages_the_timeline_and_the_api_docs_work_under_the_policy(page: Page, alice: User, fern: Client) -> None:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    for year in range(2000, 2025, 3):
        event = {"date": dt.date(year, 6, 1), "date_is_approximate": False, "event_type": "other", "title": "Move"}
        do_add_timeline_event(episode, {**event, "mood": 5, "use_change": "", "note": ""}, acting_user=alice)
    violations = watch_for_violations(page)

    sign_in_as(page, alice.email)
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    page.goto(f"/clients/{fern.pk}/episodes/{episode.pk}/timeline/")
    chart = page.locator("svg.timeline-chart")
    expect(chart).to_be_visible()
    units = float(chart.get_attribute("viewBox").split()[2])
    # On a wide screen the chart fills its container up to 1.6 px per unit ...
    wide = chart.bounding_box()
    assert units * 0.8 <= wide["width"] <= units * 1.6 + 1
    assert abs(wide["height"] / wide["width"] - float(chart.get_attribute("viewBox").split()[3]) / units) < 0.02
    screenshot(page, "timeline-under-csp")
    # ... and on a phone it keeps at least about 0.8 px per unit and scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 800})
    narrow = chart.bounding_box()
    assert narrow["width"] >= units * 0.8 - 1
    screenshot(page, "timeline-under-csp-phone")

    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("iptcare API")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, "api-docs-under-csp")

    assert violations == []

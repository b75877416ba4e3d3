"""The closure page's measures table in a real browser: on a 1280-pixel screen its eight columns fit inside the
panel, with room left for a wider system font (a clinician saw the Recovery column cut off by about 20 pixels);
narrower, it scrolls inside its own focusable region and the page itself never scrolls sideways.

Chromium runs in a thread of its own: the browser journeys (tests/browser) keep their Playwright session open on
the main thread for the whole run, and Playwright's sync API allows one per thread."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from iptcare.accounts.models import User
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_record_administration
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, protected_tables_flushable  # noqa: F401
from tests.browser.test_journeys import sign_in_as
from tests.plans.conftest import phq9

pytestmark = pytest.mark.browser

# Room the table keeps on a 1280-pixel screen: a wider font than the test browser's must not push it out.
SPARE_PIXELS = 80
MEASURES = """() => {
  const wrap = document.querySelector('[aria-labelledby="measures-heading"]');
  const table = wrap.querySelector('table');
  table.style.width = 'min-content';
  const narrowest = table.getBoundingClientRect().width;
  table.style.width = '';
  return {
    narrowest: narrowest,
    inside: wrap.clientWidth,
    scrolls: wrap.scrollWidth > wrap.clientWidth,
    panel: wrap.closest('.panel').getBoundingClientRect().right,
    right: wrap.getBoundingClientRect().right,
    page: document.documentElement.scrollWidth,
    screen: document.documentElement.clientWidth,
  };
}"""


def gad7(episode: Episode, user: User, total: int, days_ago: int) -> None:
    answers = {str(n): 0 for n in range(1, 8)}
    for n in range(1, 8):
        answers[str(n)] = min(3, total)
        total -= answers[str(n)]
    when = timezone.now() - dt.timedelta(days=days_ago)
    do_record_administration(episode.client, "GAD-7", answers, acting_user=user, administered_at=when, notify=False)


def measure_the_closure_page(base_url: str, email: str, path: str) -> dict[str, Any]:
    """Sign in, open the closure page at 1280 pixels, then at 640: the table's measures at each width."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in_as(page, email)
            page.goto(path)
            region = page.get_by_role("region", name="Mood and anxiety, baseline and now")
            expect(region).to_have_attribute("tabindex", "0")
            expect(region.get_by_role("columnheader", name="Recovery")).to_be_visible()
            wide = page.evaluate(MEASURES)
            page.set_viewport_size({"width": 640, "height": 900})
            narrow = page.evaluate(MEASURES)
            region.focus()
            expect(region).to_be_focused()
        finally:
            browser.close()
    return {"wide": wide, "narrow": narrow}


def test_the_measures_table_fits_a_1280_pixel_screen_and_scrolls_in_a_region_when_narrower(
    live_server: Any,
    protected_tables_flushable: None,  # noqa: F811
    episode: Episode,
    record: dict[str, Any],
    alice: User,
) -> None:
    phq9(episode.client, alice, 18, days_ago=60)
    phq9(episode.client, alice, 16, days_ago=1)
    gad7(episode, alice, 12, days_ago=60)
    gad7(episode, alice, 9, days_ago=1)
    path = f"/clients/{episode.client_id}/episodes/{episode.pk}/closure/"
    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(measure_the_closure_page, live_server.url, alice.email, path).result(timeout=120)

    wide, narrow = seen["wide"], seen["narrow"]
    assert not wide["scrolls"], wide
    assert wide["right"] <= wide["panel"], wide
    assert wide["narrowest"] + SPARE_PIXELS <= wide["inside"], wide
    assert narrow["scrolls"], narrow
    assert narrow["page"] <= narrow["screen"], narrow

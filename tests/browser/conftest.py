"""Playwright driving Debian's chromium against a live test server (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, sync_playwright

from iptcare.consent import triggers as consent_triggers
from iptcare.counselling import triggers as counselling_triggers
from iptcare.groups import triggers as group_triggers
from iptcare.lib import append_only
from iptcare.therapy import triggers as therapy_triggers

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make here are still
# ordinary synchronous calls, so Django's async-safety guard is relaxed for the browser tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags from the machine notes: headless, and no background traffic that the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def protected_tables_flushable(transactional_db: Any) -> Iterator[None]:
    """Live-server tests empty the database after each test; the keep-as-written triggers would refuse that.

    The triggers are put back before the test and lifted only for pytest-django's flush afterwards.
    """
    tables = append_only.existing_tables(connection)
    for table in tables:
        append_only.protect(connection, table)
    therapy_triggers.protect(connection)
    group_triggers.protect(connection)
    consent_triggers.protect(connection)
    counselling_triggers.protect(connection)
    yield
    counselling_triggers.unprotect(connection)
    consent_triggers.unprotect(connection)
    group_triggers.unprotect(connection)
    therapy_triggers.unprotect(connection)
    for table in tables:
        append_only.unprotect(connection, table)


@pytest.fixture
def page(browser: Browser, live_server: Any, protected_tables_flushable: None) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

"""Group IPT in a real browser: the facilitator opens the group, records a session's attendance with the keyboard
and the mouse, and each member's episode then holds the session."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page, expect

from iptcare.accounts.models import Organization, Site, User
from iptcare.clients.models import Client
from iptcare.groups import triggers
from iptcare.groups.actions import do_add_member, do_create_group, do_generate_group_sessions
from iptcare.therapy.models import GROUP_SESSION, TherapySession
from iptcare.therapy.numbering import held_count
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in_as
from tests.conftest import make_client

pytestmark = pytest.mark.browser


@pytest.fixture
def group_tables_flushable(transactional_db: Any) -> Iterator[None]:
    """A signed group note refuses DELETE; the live-server flush after the test needs the triggers lifted (as
    tests/browser/conftest.py does for the therapy and append-only tables)."""
    triggers.protect(connection)
    yield
    triggers.unprotect(connection)


def test_a_facilitator_records_the_attendance_of_a_session(
    page: Page,
    group_tables_flushable: None,
    north: Organization,
    north_site: Site,
    alice: User,
    fern: Client,
) -> None:
    first = timezone.localdate() - dt.timedelta(days=14)
    group = do_create_group(
        north.pk,
        {
            "name": "Tuesday group",
            "site": north_site,
            "facilitator": alice,
            "co_facilitator": None,
            "weekday": first.weekday(),
            "start_time": dt.time(10, 0),
            "session_minutes": 90,
            "capacity": 8,
            "start_date": first,
        },
        acting_user=alice,
    )
    gus = make_client(north, north_site, primary=alice, given_name="Gus", family_name="Green")
    for client in (fern, gus):
        do_add_member(group, client, joined_on=first - dt.timedelta(days=7), acting_user=alice)
    do_generate_group_sessions(group, acting_user=alice)

    sign_in_as(page, alice.email)
    page.goto("/groups/")
    page.get_by_role("link", name="Tuesday group").click()
    expect(page.get_by_role("heading", name="Tuesday group", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Record attendance")).first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Session 1 of 8"))).to_be_visible()

    page.get_by_role("group", name="Fern Fairweather").get_by_label("Attended").check()
    # Keyboard: the arrow keys move through one member's choices.
    page.get_by_role("group", name="Gus Green").get_by_label("Attended").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("group", name="Gus Green").get_by_label("Absent")).to_be_checked()
    screenshot(page, "group-attendance")
    page.get_by_role("button", name="Save the attendance").click()

    expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    expect(page.get_by_role("link", name="Write the group note")).to_be_visible()
    rows = {r.episode.client_id: r.status for r in TherapySession.objects.filter(kind=GROUP_SESSION)}
    assert rows == {fern.pk: "attended", gus.pk: "missed"}
    fern_episode = TherapySession.objects.get(kind=GROUP_SESSION, episode__client=fern).episode
    assert held_count(fern_episode) == 1

    page.get_by_role("link", name="Back to Tuesday group").click()
    expect(page.get_by_text("1 attended, 1 absent, 0 excused")).to_be_visible()
    screenshot(page, "group-page")

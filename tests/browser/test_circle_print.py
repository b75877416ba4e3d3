"""The printable closeness circle: the print view offers a button that opens the browser's print dialog."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import InventoryEntry
from iptcare.lib.notices import PART2_SHORT_NOTICE
from tests.browser.test_journeys import sign_in_as

pytestmark = pytest.mark.browser


def test_the_print_view_prints_with_the_notice(page: Page, alice: User, fern: Client) -> None:
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    InventoryEntry.objects.create(episode=episode, person=fern.people.get(), ring=1, recorded_by=alice)
    sign_in_as(page, alice.email)
    page.goto(f"/clients/{fern.pk}/episodes/{episode.pk}/inventory/circle/?print=1")
    expect(page.get_by_text(PART2_SHORT_NOTICE).first).to_be_visible()
    page.evaluate("window.print = function () { window.printed = true; }")
    page.get_by_role("button", name="Print now").click()
    assert page.evaluate("window.printed === true")

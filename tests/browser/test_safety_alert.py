"""The safety path in a real browser: PHQ-9 item 9 raises an alert that only a C-SSRS and a disposition close."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.measures.models import Alert
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in_as

pytestmark = pytest.mark.browser

PHQ9_ANSWERS = {"1": "Several days", "2": "More than half the days", "9": "Several days"}


def test_it_raises_the_item_9_alert_and_clears_it_with_a_cssrs(page: Page, alice: User, fern: Client) -> None:
    sign_in_as(page, alice.email)
    page.goto(f"/clients/{fern.pk}/")
    page.get_by_role("link", name="Measures and alerts").click()
    page.get_by_role("link", name="PHQ-9", exact=True).click()
    for number in range(1, 10):
        answer = PHQ9_ANSWERS.get(str(number), "Not at all")
        page.get_by_role("group", name=f"{number}. ").get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save and score").click()

    expect(page.locator(".score-total")).to_have_text("4")
    expect(page.get_by_role("alert")).to_contain_text("PHQ-9 item 9 above 0")
    expect(page.get_by_role("alert")).to_contain_text("988")
    screenshot(page, "phq9-item9-alert")

    page.goto(f"/clients/{fern.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("needs a C-SSRS screener and a disposition")
    page.get_by_role("link", name="Review and close").click()
    # Without the screener the alert stays open.
    page.get_by_label("Disposition").fill("Assessed in session.")
    page.get_by_role("button", name="Close the alert").click()
    expect(page.locator("#id_cssrs_administration_error")).to_be_visible()
    assert Alert.objects.get().status == "open"

    page.get_by_role("link", name="Give the C-SSRS screener").click()
    page.get_by_role("group", name="1. ").get_by_label("Yes", exact=True).check()
    page.get_by_role("group", name="2. ").get_by_label("No", exact=True).check()
    page.get_by_role("group", name="6. ").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and score").click()
    expect(page.get_by_text("C-SSRS saved: Low risk.")).to_be_visible()

    page.goto(f"/clients/{fern.pk}/measures/")
    page.get_by_role("link", name="Review and close").click()
    page.get_by_label("C-SSRS screener").select_option(index=1)
    page.get_by_label("Disposition").fill("Passive wish to be dead, no plan or intent. Safety plan reviewed.")
    page.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_text("The alert is closed")).to_be_visible()
    screenshot(page, "alert-closed")
    alert = Alert.objects.get()
    assert (alert.status, alert.closed_by) == ("closed", alice)
    page.goto(f"/clients/{fern.pk}/")
    expect(page.get_by_text("open safety alert")).to_have_count(0)

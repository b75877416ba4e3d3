"""The main journeys in a real browser: sign in, caseload, a client, add a person, sign out; lock-out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client, Person
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in_as(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_it_takes_a_therapist_from_sign_in_to_a_new_person_and_out(page: Page, alice: User, fern: Client) -> None:
    sign_in_as(page, alice.email)
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    screenshot(page, "caseload")

    page.get_by_role("link", name="Fern Fairweather").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fern Fairweather")
    expect(page.get_by_text("Cody Clarke")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Big sister")).to_be_visible()
    screenshot(page, "client-detail")

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name or alias").fill("Coach Rivera")
    page.get_by_label("Relationship").select_option("friend")
    page.get_by_label("Support contact").check()
    page.get_by_role("button", name="Save person").click()
    # A support contact without a phone or e-mail is refused next to the field, and nothing is stored.
    expect(page.locator("#id_phone_error")).to_contain_text("needs a phone number or an e-mail")
    expect(page.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    assert not Person.objects.filter(name="Coach Rivera").exists()
    screenshot(page, "person-form-error")

    page.get_by_label("Phone").fill("555 010 7777")
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_role("rowheader", name="Coach Rivera")).to_be_visible()
    assert Person.objects.get(name="Coach Rivera").phone == "555 010 7777"

    page.get_by_role("button", name=re.compile("sign out|log out", re.I)).click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto("/clients/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/clients/"))


def test_it_tells_a_person_when_their_account_is_locked(page: Page, alice: User) -> None:
    for _attempt in range(5):
        sign_in_as(page, alice.email, "not my password at all")
    sign_in_as(page, alice.email)
    expect(page.get_by_role("alert")).to_contain_text("locked")
    screenshot(page, "locked-out")
    expect(page.get_by_role("heading", name="Caseload")).to_have_count(0)


def test_it_fits_a_360_pixel_phone_without_sideways_scrolling(page: Page, alice: User, fern: Client) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_as(page, alice.email)
    for path in ("/clients/", f"/clients/{fern.pk}/", f"/clients/{fern.pk}/care-team/", "/accounts/settings/"):
        page.goto(path)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 360, f"{path} is {page_width}px wide"
    screenshot(page, "phone-settings")

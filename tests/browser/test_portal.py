"""The client portal on a phone (360 × 740, JavaScript off): the daily check-in, a questionnaire with item 9 = 1,
and the plan. Screenshots go to test-artifacts/portal-*.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.measures.actions import do_add_schedule
from iptcare.measures.models import Alert, AlertRule
from iptcare.substance_use.actions import DayEntry, do_record_use_days
from iptcare.substance_use.models import CheckIn
from tests.browser.conftest import screenshot
from tests.portal.conftest import CLIENT_PASSWORD, final_relapse_plan, make_account, signed_note, upcoming_session

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# Buttons and links styled as buttons must be at least this tall (WCAG 2.5.5 target size, 44 CSS pixels).
TAP = 44


@pytest.fixture
def phone(browser: Browser, live_server: Any, protected_tables_flushable: None) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def fern_signs_in(fern: Client) -> Client:
    fern.email = "fern@example.invalid"
    fern.save(update_fields=["email"])
    make_account(fern, "fern")
    return fern


def sign_in(page: Page) -> None:
    page.goto("/me/login/")
    page.get_by_label("Sign-in name").fill("fern")
    page.get_by_label("Password").fill(CLIENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Fern")).to_be_visible()


def assert_fits_a_phone(page: Page) -> None:
    """Nothing sticks out sideways, and every button is a big enough target."""
    for box in (page.locator("main").bounding_box(), page.locator("header.crisis").bounding_box()):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for button in page.locator("a.btn, button.btn").all():
        box = button.bounding_box()
        if box is not None:
            assert box["height"] >= TAP, button.inner_text()
            assert box["x"] + box["width"] <= PHONE["width"], button.inner_text()


def test_the_daily_check_in_on_a_phone_with_a_reported_lapse(phone: Page, fern_signs_in: Client, alice: User) -> None:
    fern = fern_signs_in
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    signed_note(episode, homework="Call your sister twice this week.")
    upcoming_session(episode)
    today = timezone.localdate()
    do_record_use_days(fern, [DayEntry(today - dt.timedelta(days=n), "no_use") for n in range(1, 8)], acting_user=None)

    sign_in(phone)
    expect(phone.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-today")

    phone.get_by_role("link", name="Daily check-in").click()
    phone.get_by_role("group", name="How is your mood today?").get_by_label("3", exact=True).check()
    phone.get_by_role("group", name="How strong is your craving today?").get_by_label("8", exact=True).check()
    phone.get_by_role("group", name="Have you used alcohol or drugs today?").get_by_label("Yes", exact=True).check()
    phone.get_by_role("group", name="What did you use?").get_by_label("Alcohol", exact=True).check()
    phone.get_by_label("Did something happen with someone today?").fill("Argued with my mother about money.")
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-check-in-form")
    phone.get_by_role("button", name="Send my check-in").click()

    support = phone.get_by_role("alert")
    expect(support).to_contain_text("A lapse is not a failure")
    expect(support).to_contain_text("Your care team will be in touch with you soon.")
    expect(support.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(support.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-check-in-lapse")
    check_in = CheckIn.objects.get(client=fern)
    assert (check_in.mood, check_in.craving, check_in.used, check_in.substances) == (3, 8, True, ["alcohol"])
    assert Alert.objects.get(client=fern).rule == AlertRule.LAPSE


def test_a_questionnaire_with_item_9_above_0_shows_the_supportive_message(
    phone: Page, fern_signs_in: Client, alice: User
) -> None:
    do_add_schedule(fern_signs_in, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)
    sign_in(phone)
    phone.get_by_role("link", name="Answer questionnaire PHQ-9").click()
    for number in range(1, 10):
        answer = "Several days" if number == 9 else "Not at all"
        phone.get_by_role("group", name=f"{number}. ").get_by_label(answer, exact=True).check()
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-questionnaire")
    phone.get_by_role("button", name="Send my answers").click()

    support = phone.get_by_role("alert")
    expect(support).to_contain_text("It sounds like things may be very hard right now")
    expect(support).to_contain_text("Your care team will be in touch with you soon.")
    expect(support.get_by_role("link", name="Call 988")).to_be_visible()
    expect(phone.get_by_text("score", exact=False)).to_have_count(0)
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-questionnaire-item9")
    assert Alert.objects.get(client=fern_signs_in).rule == AlertRule.PHQ9_ITEM9


def test_the_plan_on_a_phone(phone: Page, fern_signs_in: Client, alice: User) -> None:
    episode = do_open_episode(fern_signs_in, format_="individual", primary_therapist=alice, acting_user=alice)
    final_relapse_plan(episode, alice)
    sign_in(phone)
    phone.get_by_role("navigation").get_by_role("link", name="My plan").click()
    expect(phone.get_by_role("heading", name="My relapse-prevention plan")).to_be_visible()
    expect(phone.get_by_role("heading", name="Triggers and how to cope with each")).to_be_visible()
    expect(phone.get_by_text("Lonely Sunday evenings")).to_be_visible()
    expect(phone.get_by_text("A lapse is not a failure.")).to_be_visible()
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-plan")

    phone.get_by_role("navigation").get_by_role("link", name="Contacts").click()
    expect(phone.get_by_role("link", name="Call Big sister")).to_have_attribute("href", "tel:5550101234")
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-contacts")


def test_the_today_page_in_spanish(phone: Page, fern_signs_in: Client, alice: User) -> None:
    account = fern_signs_in.portal_account
    account.language = "es"
    account.save()
    do_add_schedule(fern_signs_in, "PHQ-9", "every_n_days", interval_days=7, acting_user=alice)
    phone.goto("/me/login/?lang=es")
    phone.get_by_label("Nombre de usuario").fill("fern")
    phone.get_by_label("Contraseña").fill(CLIENT_PASSWORD)
    phone.get_by_role("button", name="Iniciar sesión").click()
    expect(phone.get_by_role("heading", name="Hola, Fern")).to_be_visible()
    expect(phone.get_by_role("link", name="Llamar al 988")).to_have_attribute("href", "tel:988")
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-today-es")


def test_a_therapist_prints_a_code_and_the_client_sets_a_password_on_a_phone(
    page: Page, phone: Page, fern: Client, alice: User
) -> None:
    from tests.browser.test_journeys import sign_in_as

    sign_in_as(page, alice.email)
    page.goto(f"/clients/{fern.pk}/portal/")
    expect(page.get_by_role("heading", name="Portal access")).to_be_visible()
    page.get_by_label("Handout language").select_option("en")
    page.get_by_role("button", name="Print a one-time code").click()
    code = page.locator("strong.code").inner_text()
    screenshot(page, "portal-code-handout")

    phone.goto("/me/login/")
    phone.get_by_role("link", name="Use the code from your care team").click()
    phone.get_by_label("Your code").fill(code.lower())
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_label("Sign-in name").fill("fern.f")
    phone.get_by_label("New password", exact=True).fill("blue kettle morning walk")
    phone.get_by_label("New password again").fill("blue kettle morning walk")
    phone.get_by_role("group", name="Language").get_by_label("English").check()
    assert_fits_a_phone(phone)
    screenshot(phone, "portal-set-up")
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.get_by_role("heading", name="Hello, Fern")).to_be_visible()
    expect(phone.get_by_text("Your password is set.")).to_be_visible()
    assert fern.portal_account.login_name == "fern.f"

"""The initial phase in a real browser: an empty episode, the inventory and its circle, a formulation the client
accepts, a goal, and a signed contract."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.models import Contract, Episode, InventoryEntry
from tests.browser.conftest import screenshot
from tests.browser.test_journeys import sign_in_as

pytestmark = pytest.mark.browser


def test_it_walks_a_new_client_from_an_empty_episode_to_a_signed_contract(
    page: Page, alice: User, fern: Client
) -> None:
    today = timezone.localdate()
    sign_in_as(page, alice.email)
    page.goto(f"/clients/{fern.pk}/")
    page.get_by_role("link", name="IPT episodes").click()
    page.get_by_role("link", name="Open an episode").click()
    page.get_by_label("Format").select_option("individual")
    page.get_by_role("button", name="Open the episode").click()
    expect(page.get_by_role("heading", name="Initial phase (sessions 1–3)")).to_be_visible()
    episode = Episode.objects.get()

    # The inventory, and the circle it draws.
    page.get_by_role("navigation", name="Episode").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name="Add someone to the inventory").click()
    page.get_by_label("Person").select_option(label="Big sister")
    page.get_by_role("group", name="Closeness ring").get_by_label("1", exact=False).first.check()
    page.get_by_label("What is good").fill("Calls every Sunday; took her in after the divorce.")
    page.get_by_role("button", name="Record the entry").click()
    assert InventoryEntry.objects.get(episode=episode).ring == 1
    page.get_by_role("link", name="Closeness circle, then and now").click()
    circle = page.locator("svg").first
    expect(circle).to_be_visible()
    expect(circle).to_contain_text("Big sister")
    screenshot(page, "closeness-circle")

    # The formulation, accepted, with a problem area and a goal.
    page.get_by_role("navigation", name="Episode").get_by_role("link", name="Formulation").click()
    page.get_by_label("Formulation, in plain words").fill(
        "Your low mood and the drinking began when the marriage ended and you moved in with your sister."
    )
    page.get_by_label("Sick role explained on").fill(today.isoformat())
    page.get_by_role("button", name="Save the formulation").click()
    page.get_by_role("link", name="Add a problem area").click()
    page.get_by_label("Problem area").select_option("role_transition")
    page.get_by_label("The old role").fill("Married, sharing a home")
    page.get_by_label("The new role").fill("Single parent")
    page.get_by_label("Why this area").fill("Divorce last year; new life as a single parent.")
    page.get_by_role("button", name="Save the problem area").click()
    page.get_by_role("link", name="Add a goal").first.click()
    page.get_by_label("What will change").fill("Rebuild a social life outside the old drinking circle.")
    page.get_by_label("How it will be seen").select_option("behaviour")
    page.get_by_role("button", name="Save the goal").click()
    # With the words and the problem area written, the client accepts the formulation.
    page.get_by_label("Accepted by the client on").fill(today.isoformat())
    page.get_by_role("button", name="Save the formulation").click()

    # The contract, then both signatures.
    page.get_by_role("navigation", name="Episode").get_by_role("link", name="Contract").click()
    page.get_by_label("First session").fill(today.isoformat())
    page.get_by_label("Last session (expected)").fill((today + dt.timedelta(weeks=12)).isoformat())
    page.get_by_role("button", name="Save the contract").click()
    page.get_by_role("link", name="Sign the contract").click()
    page.get_by_label("Therapist: type your full name").fill("Alice Ashby")
    page.get_by_label("Client: type your full name").fill("Fern Fairweather")
    page.get_by_role("button", name="Sign", exact=True).click()
    contract = Contract.objects.get(episode=episode)
    assert contract.is_signed

    page.get_by_role("navigation", name="Episode").get_by_role("link", name="Overview").click()
    open_tasks = page.locator(".task-open")
    expect(page.locator(".task-done", has_text="Treatment contract signed")).to_be_visible()
    expect(page.locator(".task-done", has_text="Formulation accepted by the client")).to_be_visible()
    screenshot(page, "episode-overview")
    # Still to do: history, screening, the diagnosis with the PHQ-9 severity, and the physician's medication review.
    assert open_tasks.count() == 4

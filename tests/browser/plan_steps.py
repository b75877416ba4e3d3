"""Steps for building a relapse-prevention plan in a real browser, used by the session-note journey: the therapist
builds it from the suggestions the client's record offers (triggers, supportive people, a using associate to avoid,
the anniversary of a death), edits the wording, finalises it after confirming, and opens the one-page print with the
Part 2 notice."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode, Formulation, ProblemArea
from iptcare.lib.notices import PART2_SHORT_NOTICE
from iptcare.plans.models import RelapsePreventionPlan
from tests.browser.conftest import screenshot
from tests.plans.conftest import add_entry, add_person, add_trigger


def fern_record(fern: Client, alice: User) -> Episode:
    """Fern's episode with the record the plan is built from."""
    episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
    sister = fern.people.get(name="Big sister")
    dave = add_person(fern, "Dave", "friend")
    grandad = add_person(fern, "Grandad", "other_family")
    add_entry(episode, sister, alice, ring=1, supports_recovery=True)
    add_entry(episode, dave, alice, ring=3, uses_with_client=True)
    add_trigger(
        episode,
        alice,
        "Friday drinks",
        trigger_type="interpersonal",
        people=[dave],
        places="The Anchor pub",
        coping_response="Go to the Friday meeting instead.",
    )
    add_trigger(episode, alice, "Lonely Sunday evenings", coping_response="Call my sister.")
    formulation = Formulation.objects.create(episode=episode, text="Low mood since Grandad died.", updated_by=alice)
    ProblemArea.objects.create(
        formulation=formulation, kind="grief", deceased=grandad, death_date=dt.date(2023, 3, 3), rationale="Grief."
    )
    return episode


def pick(page: Page, section: str, *choices: str) -> None:
    """From the plan page: open a section, tick suggestions, add them."""
    page.get_by_role("link", name=f"Edit {section}").click()
    for choice in choices:
        page.get_by_role("checkbox", name=re.compile(f"^{re.escape(choice)}")).check()
    page.get_by_role("button", name="Add the chosen to the plan").click()
    expect(page.get_by_role("status")).to_contain_text("Added to the plan")


def save(page: Page, section: str) -> None:
    page.get_by_role("button", name=f"Save “{section}”").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{section}” is saved")


def build_finalise_and_print_the_plan(page: Page, episode: Episode) -> None:
    """From the episode's plan page, signed in as its therapist: build the plan from the record's suggestions, edit
    the wording, finalise it after confirming, and check the one-page print with the Part 2 notice."""
    page.goto(f"/clients/{episode.client_id}/episodes/{episode.pk}/plan/")
    expect(page.get_by_text("No relapse-prevention plan yet.")).to_be_visible()
    page.get_by_role("button", name="Start the plan").click()

    triggers = "Triggers and how to cope with each"
    pick(page, triggers, "Friday drinks (with Dave) at the Anchor pub", "Lonely Sunday evenings")
    # The wording is the client's: change it before saving.
    page.get_by_role("group", name="Item 1").get_by_label("Trigger", exact=True).fill(
        "Friday drinks with Dave at the Anchor"
    )
    save(page, triggers)

    pick(page, "People to call", "Big sister")
    save(page, "People to call")
    pick(page, "People and places to avoid", "Dave")
    save(page, "People and places to avoid")
    signs = "Early warning signs"
    pick(page, signs, "The anniversary of Grandad's death (3 March)")
    page.get_by_role("group", name="Item 1").get_by_label("Coping step").fill("Visit the grave with my sister.")
    save(page, signs)
    expect(page.get_by_text("555 010 1234")).to_be_visible()
    screenshot(page, "relapse-plan-draft")

    page.get_by_role("link", name="Finalise version 1").click()
    expect(page.get_by_text("can no longer be changed").first).to_be_visible()
    page.get_by_role("button", name="Finalise version 1").click()
    expect(page.get_by_text("Tick the box to confirm").first).to_be_visible()
    page.get_by_label("I have gone through this version with the client, and it is final").check()
    page.get_by_role("button", name="Finalise version 1").click()
    expect(page.locator(".page-header .meta")).to_contain_text("Version 1 of 1, finalised")
    expect(page.locator(".page-header .meta")).to_contain_text("by Alice Ashby")
    plan = RelapsePreventionPlan.objects.get(episode=episode)
    assert plan.is_final
    assert plan.parsed().triggers[0].description == "Friday drinks with Dave at the Anchor"

    page.get_by_role("link", name="Print").click()
    expect(page.get_by_role("heading", name="My relapse-prevention plan")).to_be_visible()
    expect(page.get_by_text(PART2_SHORT_NOTICE)).to_be_visible()
    expect(page.get_by_text("Client N-0001")).to_be_visible()
    screenshot(page, "relapse-plan-print")
    # In print, the stamp, the plan and the notice are all there, on one page.
    page.emulate_media(media="print")
    expect(page.get_by_text(PART2_SHORT_NOTICE)).to_be_visible()
    expect(page.get_by_text("Friday drinks with Dave at the Anchor")).to_be_visible()
    pdf = page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1

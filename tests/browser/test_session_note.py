"""A session note and the relapse-prevention plan in a real browser: the therapist records the session as attended,
writes the note (autosaved, saved with the button, then changed and saved along with an incident), signs it and finds
it locked, then builds the client's relapse-prevention plan from the record, finalises it and prints it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.therapy.models import SessionNote, TherapySession
from tests.browser.conftest import screenshot
from tests.browser.plan_steps import build_finalise_and_print_the_plan, fern_record
from tests.browser.test_journeys import sign_in_as

pytestmark = pytest.mark.browser


def test_a_therapist_signs_a_note_then_builds_and_prints_the_relapse_plan(
    page: Page, alice: User, fern: Client
) -> None:
    episode = fern_record(fern, alice)
    TherapySession.objects.create(
        episode=episode,
        therapist=alice,
        scheduled_start=timezone.now() - dt.timedelta(minutes=30),
        minutes=50,
        created_by=alice,
    )
    page.clock.install()
    sign_in_as(page, alice.email)
    page.goto(f"/clients/{fern.pk}/episodes/{episode.pk}/sessions/")

    page.get_by_role("button", name=re.compile(r"^Attended")).click()
    expect(page.get_by_text("Recorded as attended.")).to_be_visible()
    # One click, with the undo at hand in the message and in the row (until a note is written).
    expect(page.get_by_role("link", name=re.compile(r"^Undo: not attended"))).to_have_count(2)
    page.get_by_role("link", name="Write the note").click()
    expect(page.get_by_role("heading", name="Session 1 of 12")).to_be_visible()

    # Autosave: a change is saved within half a minute, without leaving the page (once the script watches the form).
    expect(page.locator("#note-form[data-autosave-ready=true]")).to_have_count(1)
    page.get_by_label("Since we last met").fill("Row with her sister on Friday; drank that evening.")
    page.clock.run_for(26_000)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=15_000)
    assert SessionNote.objects.get().interval_history.startswith("Row with her sister")

    # The button saves the rest.
    page.get_by_label("Mood since the last session (0–10)").fill("4")
    page.get_by_role("group", name="Techniques used").get_by_label("Communication analysis").check()
    page.get_by_label("No risk indicators").check()
    page.get_by_label("Plan for the next session").fill("Role play asking her sister for help.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(re.compile(r"^Draft saved \d\d:\d\d$")).first).to_be_visible()
    screenshot(page, "session-note-draft")

    # A change to the draft, then an incident added by its own button: the change is saved with the incident.
    page.get_by_label("Plan for the next session").fill("Role play asking her sister to drive her to the group.")
    page.get_by_label("Person involved").select_option(label="Big sister")
    page.get_by_label("What happened").fill("She hung up when Fern asked for a lift.")
    page.get_by_role("button", name="Add the incident").click()
    expect(page.get_by_text(re.compile(r"^Draft saved \d\d:\d\d\. Incident added to the note\.$"))).to_be_visible()
    note = SessionNote.objects.get()
    assert note.next_session_plan == "Role play asking her sister to drive her to the group."
    assert note.incidents.get().what_happened == "She hung up when Fern asked for a lift."

    page.get_by_role("button", name="Sign the note").click()
    page.get_by_label("Type your full name to sign").fill("Alice Ashby")
    page.get_by_role("button", name="Sign and lock").click()

    expect(page.get_by_text("The note is signed and locked.").first).to_be_visible()
    expect(page.get_by_text("Signed and locked", exact=True)).to_be_visible()
    expect(page.get_by_label("Since we last met")).to_have_count(0)
    expect(page.get_by_role("link", name="Add an amendment")).to_be_visible()
    screenshot(page, "session-note-signed")
    note = SessionNote.objects.get()
    assert note.is_signed and note.mood == 4 and note.techniques == ["communication_analysis"]

    build_finalise_and_print_the_plan(page, episode)

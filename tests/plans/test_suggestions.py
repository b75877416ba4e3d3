"""Building a plan from the record: the client's triggers, supportive people, warning signs from the problem areas,
people and places to avoid; the wording is the client's ("my stepfather"); nothing is suggested as a reason for
recovery; picked suggestions are not offered twice; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.ipt.models import Episode
from iptcare.plans.actions import do_add_plan_suggestions, do_start_plan_version
from iptcare.plans.content import TriggerCategory, TriggerItem
from iptcare.plans.models import RelapsePreventionPlan, SafetyPlan
from iptcare.plans.suggestions import in_my_words, read_record, suggestions_for
from tests.plans.conftest import DEATH_DATE, add_entry, add_person, add_trigger

pytestmark = pytest.mark.django_db


def offered(episode: Episode, plan: RelapsePreventionPlan, section: str) -> dict[str, Any]:
    found = suggestions_for(plan.kind, read_record(episode), plan.parsed())
    return {s.key: s for s in found[section]}


@pytest.fixture
def plan(episode: Episode, record: dict[str, Any], alice: User) -> RelapsePreventionPlan:
    return do_start_plan_version("relapse_prevention", episode, acting_user=alice)


def test_it_offers_the_clients_triggers_with_their_coping_steps(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    drinks, lonely = record["triggers"]
    triggers = offered(episode, plan, "triggers")
    assert triggers[f"trigger:{drinks.pk}"].item.description == "Friday drinks (with Dave) at the Anchor pub"
    assert triggers[f"trigger:{drinks.pk}"].item.coping == "Go to the Friday meeting instead."
    # Dave drinks with Fern (his latest inventory entry says so): the trigger is a using associate.
    assert triggers[f"trigger:{drinks.pk}"].item.category == TriggerCategory.USING_ASSOCIATES
    assert triggers[f"trigger:{lonely.pk}"].item.category == TriggerCategory.FEELINGS
    assert {"common:payday", "common:halt"} <= set(triggers)


def test_it_offers_only_people_who_support_recovery_to_call(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, sister: Any, alice: User
) -> None:
    coach = add_person(episode.client, "Coach", "friend", phone="555 010 7777", is_support_contact=True)
    contacts = offered(episode, plan, "support_contacts")
    assert list(contacts) == [f"person:{sister.pk}", f"person:{coach.pk}"]
    assert contacts[f"person:{sister.pk}"].item.phone == "555 010 1234"
    assert {c.group for c in contacts.values()} == {"Support recovery"}
    # Mum is in the record but not recorded as supporting recovery: she may be typed in, not suggested; nor Dave
    # (uses with Fern) nor Grandad (who died).
    assert f"person:{record['mum'].pk}" not in contacts
    assert f"person:{record['dave'].pk}" not in contacts
    assert f"person:{record['grandad'].pk}" not in contacts


def test_its_the_latest_inventory_entry_that_says_who_supports_recovery(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, alice: User
) -> None:
    later = timezone.localdate() + dt.timedelta(days=1)
    jo = add_person(episode.client, "Jo", "friend")
    add_entry(episode, jo, alice, supports_recovery=True)
    add_entry(episode, jo, alice, supports_recovery=False, recorded_on=later)
    add_entry(episode, record["mum"], alice, supports_recovery=True, recorded_on=later)
    contacts = offered(episode, plan, "support_contacts")
    assert f"person:{jo.pk}" not in contacts
    assert f"person:{record['mum'].pk}" in contacts


def test_the_safety_plans_distraction_may_still_be_anyone_but_a_using_associate(
    episode: Episode, record: dict[str, Any], sister: Any, alice: User
) -> None:
    safety = do_start_plan_version(SafetyPlan.kind, episode, acting_user=alice)
    distraction = offered(episode, safety, "distraction")
    # Supportive people first, then anyone else: not Dave (uses with Fern), nor Grandad (who died).
    assert list(distraction) == [f"person:{sister.pk}", f"person:{record['mum'].pk}"]
    assert list(offered(episode, safety, "help_contacts")) == [f"person:{sister.pk}"]


def test_it_suggests_people_who_use_with_the_client_and_places_tied_to_use(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    avoid = offered(episode, plan, "avoid")
    dave = avoid[f"person:{record['dave'].pk}"]
    assert (dave.item.kind, dave.item.description) == ("person", "Dave (friend)")
    # Friday drinks are with Dave, who drinks with Fern.
    pub = avoid[f"trigger:{record['triggers'][0].pk}:places"]
    assert (pub.item.kind, pub.item.description, pub.group) == ("place", "The Anchor pub", "Places tied to use")


def test_places_that_are_not_tied_to_use_are_not_suggested_to_avoid(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, sister: Any, alice: User
) -> None:
    """A grieving client: the family home and the cemetery bring back the loss (warning-sign material), the walk home
    is a HALT trigger of low risk, and no one can avoid their own home; the high street on payday is tied to use."""
    grief = add_trigger(
        episode,
        alice,
        "Reminders of my stepfather: the anniversary, old photos",
        people=[sister],
        places="The family home; the cemetery",
    )
    walk = add_trigger(
        episode, alice, "Hungry and tired after late shifts", trigger_type="halt", places="Walking home after work"
    )
    evenings = add_trigger(
        episode, alice, "Evenings that used to be for drinking", trigger_type="environmental", places="Home after 6 pm"
    )
    corner = add_trigger(
        episode, alice, "Passing the off-licence", trigger_type="environmental", risk_level="low", places="Corner shop"
    )
    payday = add_trigger(
        episode,
        alice,
        "Payday Fridays, with cash in hand",
        trigger_type="environmental",
        places="High Street; the old meeting spots; home after 6 pm",
    )
    avoid = offered(episode, plan, "avoid")
    for trigger in (grief, walk, evenings, corner):
        assert f"trigger:{trigger.pk}:places" not in avoid
    assert "cemetery" not in " ".join(s.item.description for s in avoid.values())
    assert avoid[f"trigger:{payday.pk}:places"].item.description == "High Street; the old meeting spots"
    assert avoid[f"trigger:{payday.pk}:places"].detail == "Payday Fridays, with cash in hand"


def test_it_builds_interpersonal_warning_signs_from_the_problem_areas(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, alice: User
) -> None:
    dispute, grief = record["areas"]
    signs = offered(episode, plan, "warning_signs")
    assert signs[f"area:{dispute.pk}:role_dispute"].item.description == "The dispute with Mum flaring up again"
    assert signs[f"area:{grief.pk}:grief"].item.description == "The anniversary of Grandad's death (3 March)"
    assert all(s.item.interpersonal for key, s in signs.items() if key.startswith("area:"))


def test_it_names_conflict_with_someone_outside_the_dispute(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, alice: User
) -> None:
    boss = add_person(episode.client, "Boss", "coworker")
    add_entry(episode, boss, alice, conflict_pattern="criticises in front of others")
    signs = offered(episode, plan, "warning_signs")
    assert (
        signs[f"person:{boss.pk}:conflict"].item.description == "Conflict with my boss (criticises in front of others)"
    )


def test_the_anniversary_of_a_death_is_in_the_clients_words(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    """The plan is "My relapse-prevention plan": someone recorded as "Stepfather" is "my stepfather"; "Dad" is Dad."""
    grief = record["areas"][1]
    signs = offered(episode, plan, "warning_signs")
    assert signs[f"area:{grief.pk}:grief"].item.description == "The anniversary of Grandad's death (3 March)"
    grandad = record["grandad"]
    for name, sign in (
        ("Stepfather", "The anniversary of my stepfather's death (3 March)"),
        ("Dad", "The anniversary of Dad's death (3 March)"),
    ):
        grandad.name = name
        grandad.save()
        signs = offered(episode, plan, "warning_signs")
        assert signs[f"area:{grief.pk}:grief"].item.description == sign
    assert grief.death_date == DEATH_DATE


@pytest.mark.parametrize(
    ("name", "in_a_sentence"),
    [
        ("Big sister", "my big sister"),
        ("Stepfather", "my stepfather"),
        ("My partner", "my partner"),
        ("Best friend", "my best friend"),
        ("Old crowd", "my old crowd"),
        ("Mum", "Mum"),
        ("Dad", "Dad"),
        ("Grandad", "Grandad"),
        ("Dave", "Dave"),
        ("Sponsor K.", "Sponsor K."),
        ("Dave from work", "Dave from work"),
    ],
)
def test_people_are_named_as_the_client_would_say_them(name: str, in_a_sentence: str) -> None:
    assert in_my_words(name) == in_a_sentence


def test_trigger_suggestions_read_as_sentences(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, sister: Any, alice: User
) -> None:
    grief = add_trigger(episode, alice, "Reminders of the anniversary", people=[sister], places="The family home")
    walk = add_trigger(
        episode, alice, "Hungry and tired after late shifts", trigger_type="halt", places="Walking home after work"
    )
    offered_by = add_trigger(
        episode, alice, "Being offered a drink by Dave", trigger_type="interpersonal", people=[record["dave"]]
    )
    triggers = offered(episode, plan, "triggers")
    assert (
        triggers[f"trigger:{grief.pk}"].label == "Reminders of the anniversary (with my big sister) at the family home"
    )
    assert triggers[f"trigger:{walk.pk}"].label == "Hungry and tired after late shifts — Walking home after work"
    assert triggers[f"trigger:{walk.pk}"].detail.startswith("HALT (hungry, angry, lonely, tired) · risk: moderate")
    # Dave is named once.
    assert triggers[f"trigger:{offered_by.pk}"].label == "Being offered a drink by Dave"
    assert triggers["common:halt"].group == "Common triggers"


def test_a_trigger_names_its_side_and_kind() -> None:
    halt = TriggerItem(category=TriggerCategory.HALT, description="Tired after work")
    assert halt.kind_label == "Internal — HALT (hungry, angry, lonely, tired)"
    drinks = TriggerItem(category=TriggerCategory.USING_ASSOCIATES, description="Friday drinks")
    assert drinks.kind_label == "External — Using associates"


def test_nothing_is_suggested_as_a_reason_for_recovery(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    """The reasons are the client's own: the goals ("Mood lifts…", "PHQ-9 below 10") are the clinician's targets."""
    found = suggestions_for(plan.kind, read_record(episode), plan.parsed())
    assert "reasons" not in found
    assert all(not s.key.startswith("goal:") for section in found.values() for s in section)


def test_no_suggestion_names_an_internal_document(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    found = suggestions_for(plan.kind, read_record(episode), plan.parsed())
    for suggestion in (s for section in found.values() for s in section):
        for text in (suggestion.label, suggestion.group, suggestion.detail):
            assert "IPT-DOMAIN" not in text and "§" not in text


def test_it_does_not_offer_what_is_already_in_the_plan(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, alice: User
) -> None:
    key = f"trigger:{record['triggers'][0].pk}"
    do_add_plan_suggestions(plan, "triggers", [key], acting_user=alice)
    plan.refresh_from_db()
    assert plan.parsed().triggers[0].source == key
    assert key not in offered(episode, plan, "triggers")
    # Crisis lines are in a new plan already, so none is offered.
    assert offered(episode, plan, "crisis_lines") == {}


def test_it_reads_the_record_in_a_fixed_number_of_queries(
    episode: Episode, record: dict[str, Any], alice: User
) -> None:
    with CaptureQueriesContext(connection) as few:
        read_record(episode)
    for number in range(20):
        person = add_person(episode.client, f"Friend {number}", "friend")
        add_trigger(episode, alice, f"Trigger {number}", people=[person], places=f"Place {number}")
    with CaptureQueriesContext(connection) as many:
        read_record(episode)
    assert len(many) == len(few)

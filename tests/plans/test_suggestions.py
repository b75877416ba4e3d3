"""Building a plan from the record: the client's triggers, supportive people, warning signs from the problem areas,
people and places to avoid; picked suggestions are not offered twice; a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.ipt.models import Episode
from iptcare.plans.actions import do_add_plan_suggestions, do_start_plan_version
from iptcare.plans.content import TriggerCategory
from iptcare.plans.models import RelapsePreventionPlan
from iptcare.plans.suggestions import read_record, suggestions_for
from tests.plans.conftest import add_person, add_trigger

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
    assert triggers[f"trigger:{drinks.pk}"].item.description == "Friday drinks (with Dave) at The Anchor pub"
    assert triggers[f"trigger:{drinks.pk}"].item.coping == "Go to the Friday meeting instead."
    # Dave drinks with Fern (his latest inventory entry says so): the trigger is a using associate.
    assert triggers[f"trigger:{drinks.pk}"].item.category == TriggerCategory.USING_ASSOCIATES
    assert triggers[f"trigger:{lonely.pk}"].item.category == TriggerCategory.FEELINGS
    assert {"common:payday", "common:halt"} <= set(triggers)


def test_it_offers_supportive_people_first_with_their_numbers(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan, sister: Any
) -> None:
    contacts = list(offered(episode, plan, "support_contacts").values())
    assert contacts[0].key == f"person:{sister.pk}"
    assert contacts[0].item.phone == "555 010 1234"
    assert contacts[0].group == "Support recovery"
    keys = {c.key for c in contacts}
    # Anyone else may be picked too, except Dave (uses with Fern) and Grandad (who died).
    assert f"person:{record['mum'].pk}" in keys
    assert f"person:{record['dave'].pk}" not in keys
    assert f"person:{record['grandad'].pk}" not in keys


def test_it_suggests_using_associates_and_trigger_places_to_avoid(
    episode: Episode, record: dict[str, Any], plan: RelapsePreventionPlan
) -> None:
    avoid = offered(episode, plan, "avoid")
    assert avoid[f"person:{record['dave'].pk}"].item.kind == "person"
    assert avoid[f"trigger:{record['triggers'][0].pk}:places"].item.description == "The Anchor pub"


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
    from tests.plans.conftest import add_entry

    boss = add_person(episode.client, "Boss", "coworker")
    add_entry(episode, boss, alice, conflict_pattern="criticises in front of others")
    signs = offered(episode, plan, "warning_signs")
    assert signs[f"person:{boss.pk}:conflict"].item.description == "Conflict with Boss (criticises in front of others)"


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

"""Shared by the plan tests: Fern's episode with Alice, and a record to build plans from.

Fern's record: her big sister supports her recovery (phone 555 010 1234); Dave drinks with her; her mother and she
are in a role dispute; her grandfather died on 3 March 2023 (a grief area). Her triggers: Friday drinks with Dave at
the Anchor, and lonely Sunday evenings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode, Formulation, Goal, InventoryEntry, ProblemArea, Trigger
from iptcare.measures.actions import do_record_administration
from iptcare.measures.models import Administration

DEATH_DATE = dt.date(2023, 3, 3)


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)


@pytest.fixture
def sister(fern: Client) -> Person:
    return fern.people.get(name="Big sister")


def add_person(client: Client, name: str, relationship: str, **fields: Any) -> Person:
    return Person.objects.create(client=client, name=name, relationship_type=relationship, **fields)


def add_entry(episode: Episode, person: Person, user: User, **fields: Any) -> InventoryEntry:
    return InventoryEntry.objects.create(
        episode=episode, person=person, ring=fields.pop("ring", 2), recorded_by=user, **fields
    )


def add_trigger(episode: Episode, user: User, description: str, **fields: Any) -> Trigger:
    people = fields.pop("people", [])
    trigger = Trigger.objects.create(
        client=episode.client,
        episode=episode,
        trigger_type=fields.pop("trigger_type", "emotional"),
        description=description,
        risk_level=fields.pop("risk_level", "moderate"),
        recorded_by=user,
        **fields,
    )
    trigger.people.set(people)
    return trigger


@pytest.fixture
def record(episode: Episode, alice: User, sister: Person) -> dict[str, Any]:
    """Fern's people, inventory, triggers, problem areas and goals."""
    dave = add_person(episode.client, "Dave", "friend")
    mum = add_person(episode.client, "Mum", "parent", phone="555 010 9999")
    grandad = add_person(episode.client, "Grandad", "other_family")
    add_entry(episode, sister, alice, ring=1, supports_recovery=True)
    add_entry(episode, dave, alice, ring=3, uses_with_client=True)
    add_entry(episode, mum, alice, ring=2, conflict_pattern="shouting about money", expectations_met="not_met")
    drinks = add_trigger(
        episode,
        alice,
        "Friday drinks",
        trigger_type="interpersonal",
        people=[dave],
        places="The Anchor pub",
        coping_response="Go to the Friday meeting instead.",
        risk_level="high",
    )
    lonely = add_trigger(episode, alice, "Lonely Sunday evenings", feelings="lonely", coping_response="Call my sister.")
    formulation = Formulation.objects.create(episode=episode, text="Mood and drinking since…", updated_by=alice)
    dispute = ProblemArea.objects.create(
        formulation=formulation, kind="role_dispute", dispute_stage="impasse", dispute_with=mum, rationale="Rows."
    )
    grief = ProblemArea.objects.create(
        formulation=formulation, kind="grief", deceased=grandad, death_date=DEATH_DATE, rationale="Since he died."
    )
    goals = [
        Goal.objects.create(
            problem_area=dispute, description="Talk with Mum without shouting", evidence_kind="behaviour"
        ),
        Goal.objects.create(
            problem_area=grief, description="Visit the grave with my sister", evidence_kind="behaviour"
        ),
    ]
    return {
        "dave": dave,
        "mum": mum,
        "grandad": grandad,
        "triggers": [drinks, lonely],
        "areas": [dispute, grief],
        "goals": goals,
    }


def phq9(client: Client, user: User, total: int, *, days_ago: int = 0, item9: int = 0) -> Administration:
    """A PHQ-9 with the given total, spread over items 1–8 (item 9 as given, counted in the total)."""
    rest = total - item9
    answers = {str(n): 0 for n in range(1, 10)}
    for n in range(1, 9):
        answers[str(n)] = min(3, rest)
        rest -= answers[str(n)]
    answers["9"] = item9
    when = timezone.now() - dt.timedelta(days=days_ago)
    return do_record_administration(client, "PHQ-9", answers, acting_user=user, administered_at=when, notify=False)

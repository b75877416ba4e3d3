"""Shared by the counselling-note tests: Fern's individual episode with Alice, a session held today, Alice's
counselling notes, and Fern's counselling-notes consent built the way staff record it. Time is frozen on Tuesday
31 March 2026 at noon (New York)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.consent.actions import do_record_consent
from iptcare.consent.models import Consent
from iptcare.counselling.actions import do_create_note, do_sign_note
from iptcare.counselling.models import CounsellingNote
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode
from iptcare.therapy.models import SessionStatus, TherapySession

NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)  # 12:00 in New York
TODAY = dt.date(2026, 3, 31)
# A sentence no other part of the product would ever write, to look for it everywhere.
SECRET = "Fern spoke about the night her brother left, and the shame she still carries."


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return do_open_episode(
        fern, format_="individual", primary_therapist=alice, acting_user=alice, start_date=dt.date(2026, 3, 2)
    )


@pytest.fixture
def held(episode: Episode, alice: User) -> TherapySession:
    """Today's session at 10:00, attended."""
    return TherapySession.objects.create(
        episode=episode,
        therapist=alice,
        scheduled_start=at(TODAY),
        minutes=50,
        status=SessionStatus.ATTENDED,
        created_by=alice,
    )


def write(
    client: Client,
    author: User,
    text: str = SECRET,
    *,
    session: TherapySession | None = None,
    held_on: dt.date | None = None,
    sign: bool = False,
) -> CounsellingNote:
    day = None if session is not None else held_on or dt.date(2026, 3, 24)
    data = {"session": session, "held_on": day, "text": text}
    note = do_create_note(client, data, acting_user=author)
    if sign:
        note = do_sign_note(note, signature=author.full_name, acting_user=author)
    return note


@pytest.fixture
def draft(fern: Client, alice: User, held: TherapySession) -> CounsellingNote:
    return write(fern, alice, session=held)


@pytest.fixture
def signed(fern: Client, alice: User, held: TherapySession) -> CounsellingNote:
    return write(fern, alice, session=held, sign=True)


def person(name: str, organization: str = "") -> dict[str, Any]:
    return {
        "kind": "person",
        "name": name,
        "organization": organization,
        "participants": [],
        "participants_are_treating_providers": False,
    }


def counselling_values(**overrides: Any) -> dict[str, Any]:
    """A complete counselling-notes consent: every element present."""
    values: dict[str, Any] = {
        "kind": "counselling_notes",
        "discloser_kind": "program",
        "named_disclosers": [],
        "categories": ["counselling_notes"],
        "information_description": "The notes my counsellor keeps of what we talk about in sessions",
        "recipient_classes": [],
        "purposes": ["treatment"],
        "purpose_other": "",
        "court_order_reference": "",
        "effective_from": None,
        "expiry_kind": "date",
        "expires_on": dt.date(2026, 6, 30),
        "signer_kind": "client",
        "signer_name": "Fern Fairweather",
        "representative_relationship": "",
        "signed_on": TODAY,
        "acknowledged_statements": ["not_conditioned"],
    }
    values.update(overrides)
    return values


def consent_for(client: Client, recorded_by: User, *recipients: dict[str, Any], **overrides: Any) -> Consent:
    """Fern's counselling-notes consent naming `recipients` (Cody Clarke at North Clinic unless told)."""
    named = list(recipients) or [person("Cody Clarke", "North Clinic")]
    return do_record_consent(client, counselling_values(**overrides), named, acting_user=recorded_by)


def tpo_for(client: Client, recorded_by: User, *recipients: dict[str, Any]) -> Consent:
    values = counselling_values(
        kind="tpo",
        categories=["demographics", "treatment_plan", "session_summary"],
        information_description="What my providers need to treat me",
        purposes=["treatment", "payment", "health_care_operations"],
        expiry_kind="none",
        expires_on=None,
        acknowledged_statements=["redisclosure", "refusal_consequences", "not_conditioned"],
    )
    return do_record_consent(client, values, list(recipients), acting_user=recorded_by)


def note_url(note: CounsellingNote, page: str = "") -> str:
    return f"/clients/{note.client_id}/counselling-notes/{note.pk}/{page}"


def list_url(client: Client) -> str:
    return f"/clients/{client.pk}/counselling-notes/"


def api_notes(client: Client) -> str:
    return f"/api/v1/counselling/clients/{client.pk}/notes"


def api_note(note: CounsellingNote, tail: str = "") -> str:
    return f"/api/v1/counselling/clients/{note.client_id}/notes/{note.pk}{tail}"

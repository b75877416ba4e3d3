"""Shared by the session and note tests: Fern's individual episode with Alice and its signed contract (12 weekly
sessions on Tuesdays from 3 March 2026), with time frozen on Tuesday 31 March 2026 at noon (New York)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_formulation import do_save_contract
from iptcare.ipt.models import Contract, Episode
from iptcare.therapy.actions_notes import do_save_note_draft
from iptcare.therapy.models import SessionNote, SessionStatus, TherapySession

NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)  # 12:00 in New York
TODAY = dt.date(2026, 3, 31)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment on the clinic's clock."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def book(
    episode: Episode,
    when: dt.datetime,
    status: str = SessionStatus.SCHEDULED,
    *,
    therapist: User | None = None,
    **fields: Any,
) -> TherapySession:
    """A session stored directly, for tests about what comes after scheduling."""
    if status == SessionStatus.CANCELLED:
        fields.setdefault("cancelled_by", "client")
        fields.setdefault("cancel_reason", "Ill.")
    return TherapySession.objects.create(
        episode=episode,
        therapist=therapist or episode.primary_therapist,
        scheduled_start=when,
        minutes=fields.pop("minutes", 50),
        status=status,
        created_by=episode.primary_therapist,
        **fields,
    )


def session_url(session: TherapySession, page: str = "note/") -> str:
    episode = session.episode
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/sessions/{session.pk}/{page}"


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return do_open_episode(
        fern, format_="individual", primary_therapist=alice, acting_user=alice, start_date=dt.date(2026, 3, 2)
    )


@pytest.fixture
def contract(episode: Episode, alice: User) -> Contract:
    data = {
        "sessions": 12,
        "session_minutes": 50,
        "frequency": "weekly",
        "start_date": dt.date(2026, 3, 3),
        "end_date": dt.date(2026, 5, 19),
        "focus": "Role dispute with her sister.",
    }
    return do_save_contract(episode, data, modalities=[], acting_user=alice)


@pytest.fixture
def sister(fern: Client) -> Person:
    return fern.people.get(name="Big sister")


@pytest.fixture
def held(episode: Episode) -> TherapySession:
    """Today's session at 10:00, attended."""
    return book(episode, at(TODAY), SessionStatus.ATTENDED)


@pytest.fixture
def draft(held: TherapySession, alice: User) -> SessionNote:
    return do_save_note_draft(
        held,
        {
            "interval_history": "Argued with her sister on Friday; drank that evening.",
            "mood": 4,
            "risk_review": "none",
        },
        acting_user=alice,
    )

"""Read-only queries for the session pages and the API: each list is one query whatever its length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from iptcare.measures.models import Administration
from iptcare.therapy.access import visible_sessions
from iptcare.therapy.models import AmendableField, NoteAmendment, SessionNote, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.ipt.models import Episode

# Questionnaires offered from a note (IPT-DOMAIN §5, §9: PHQ-9 and GAD-7 every few sessions; craving; risk).
OFFERED_INSTRUMENTS = ("PHQ-9", "GAD-7", "PACS", "C-SSRS")


def episode_sessions(episode: Episode) -> QuerySet[TherapySession]:
    """The episode's sessions with their numbers, therapist and note."""
    return (
        TherapySession.objects.filter(episode=episode)
        .with_numbers()
        .select_related("therapist", "note", "group_session")
        .order_by("scheduled_start", "pk")
    )


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first` to the start of the day after `last`, on the clinic's clock."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def therapist_sessions(user: User, first: dt.date, last: dt.date) -> QuerySet[TherapySession]:
    """The user's own sessions from `first` to `last`, of clients they may open, numbered, with client and note."""
    start, end = day_bounds(first, last)
    return (
        visible_sessions(user)
        .filter(therapist=user, scheduled_start__gte=start, scheduled_start__lt=end)
        .with_numbers()
        .select_related("episode__client", "note", "group_session")
        .order_by("scheduled_start", "pk")
    )


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def by_day(sessions: list[TherapySession], days: list[dt.date]) -> list[tuple[dt.date, list[TherapySession]]]:
    grouped: dict[dt.date, list[TherapySession]] = defaultdict(list)
    for session in sessions:
        grouped[timezone.localdate(session.scheduled_start)].append(session)
    return [(day, grouped.get(day, [])) for day in days]


def note_state(note: SessionNote | None) -> str:
    """none, draft, awaiting_cosignature or signed: what a list shows about a session's note."""
    if note is None:
        return "none"
    if not note.is_signed:
        return "draft"
    return "awaiting_cosignature" if note.awaiting_cosignature else "signed"


def measures_on_day(session: TherapySession) -> list[Administration]:
    """The client's questionnaires given on the day of the session (corrected ones left out)."""
    start, end = day_bounds(*([timezone.localdate(session.scheduled_start)] * 2))
    return list(
        Administration.objects.current()
        .filter(client_id=session.episode.client_id, administered_at__gte=start, administered_at__lt=end)
        .order_by("administered_at", "pk")
    )


def amendments_by_field(note: SessionNote | None) -> dict[str, list[NoteAmendment]]:
    """Each part of the note with its amendments, oldest first."""
    if note is None or not note.is_signed:
        return {}
    grouped: dict[str, list[NoteAmendment]] = defaultdict(list)
    for amendment in note.amendments.select_related("amended_by").order_by("amended_at", "pk"):
        grouped[amendment.field].append(amendment)
    return {field: grouped.get(field, []) for field in AmendableField.values}

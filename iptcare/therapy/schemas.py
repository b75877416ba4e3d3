"""The shapes of sessions and notes in the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator

from iptcare.clients.schemas import PatchInput, StrictInput
from iptcare.therapy.models import CancelledBy, SessionKind, SessionNote, TherapySession
from iptcare.therapy.selectors import note_state


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200.")
    offset: int = Field(0, ge=0)


class RangeParams(PageParams):
    start: dt.date = Field(description="First day (the clinic's time zone).")
    end: dt.date = Field(description="Last day, included; at most 92 days after start.")


class NoteListParams(PageParams):
    flagged: bool | None = Field(None, description="true: only notes flagged for supervision (a non-IPT technique).")


class SessionOut(Schema):
    id: int
    episode_id: int
    client_id: int
    therapist_id: int
    scheduled_start: dt.datetime
    ends_at: dt.datetime
    minutes: int
    kind: str
    status: str
    cancelled_by: str
    cancel_reason: str
    number: int | None = Field(None, description="Place among the episode's held or expected IPT sessions.")
    planned_sessions: int
    note_state: str = Field(description="none, draft, awaiting_cosignature or signed.")

    @staticmethod
    def resolve_client_id(session: TherapySession) -> int:
        return session.episode.client_id

    @staticmethod
    def resolve_planned_sessions(session: TherapySession) -> int:
        return session.episode.planned_sessions

    @staticmethod
    def resolve_note_state(session: TherapySession) -> str:
        return note_state(getattr(session, "note", None))


class SessionPage(Schema):
    count: int
    items: list[SessionOut]


class SessionIn(StrictInput):
    scheduled_start: dt.datetime = Field(description="With its UTC offset, e.g. 2026-04-01T10:00:00-04:00.")
    minutes: int | None = Field(None, description="Defaults to the episode's session length.")
    kind: SessionKind = SessionKind.SESSION
    therapist_id: int | None = Field(None, description="Defaults to the primary therapist.")


class GenerateIn(StrictInput):
    time_of_day: dt.time = Field(description="Local time, e.g. 10:00.")
    include_past: bool = False


class SkippedOut(Schema):
    date: dt.date
    reason: str


class GenerateOut(Schema):
    created: list[SessionOut]
    skipped: list[SkippedOut]


class RescheduleIn(StrictInput):
    scheduled_start: dt.datetime
    minutes: int | None = None
    reason: str = ""


class CancelIn(StrictInput):
    cancelled_by: CancelledBy
    reason: str


class PersonRef(Schema):
    id: int
    name: str


class IncidentOut(Schema):
    id: int
    person: PersonRef
    what_happened: str
    affect: str
    communication_analysis: str
    created_at: dt.datetime


class IncidentIn(StrictInput):
    person_id: int
    what_happened: str
    affect: str = ""
    communication_analysis: str = ""


class AmendmentOut(Schema):
    id: int
    field: str
    text: str
    reason: str
    amended_by_id: int
    amended_at: dt.datetime


class AmendmentIn(StrictInput):
    field: str = Field(
        description="interval_history, mood, use, problem_area, techniques, incidents, homework, "
        "risk or next_session_plan."
    )
    text: str
    reason: str


class NoteOut(Schema):
    id: int
    session_id: int
    author_id: int
    interval_history: str
    mood: int | None
    use_days: int | None
    use_summary: str
    prefill_source: str
    problem_area_id: int | None
    dispute_stage: str
    techniques: list[str]
    flagged_for_supervision: bool
    homework_reviewed: str
    homework_set: str
    risk_review: str
    risk_notes: str
    next_session_plan: str
    incidents: list[IncidentOut]
    amendments: list[AmendmentOut]
    is_signed: bool
    signature: str
    signed_by_id: int | None
    signed_at: dt.datetime | None
    cosign_required: bool
    awaiting_cosignature: bool
    cosignature: str
    cosigned_by_id: int | None
    cosigned_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_incidents(note: SessionNote) -> list[Any]:
        return list(note.incidents.all())

    @staticmethod
    def resolve_amendments(note: SessionNote) -> list[Any]:
        return list(note.amendments.all())


class NoteSummaryOut(Schema):
    id: int
    session_id: int
    client_id: int
    episode_id: int
    author_id: int
    techniques: list[str]
    flagged_for_supervision: bool
    signed_at: dt.datetime | None
    awaiting_cosignature: bool

    @staticmethod
    def resolve_client_id(note: SessionNote) -> int:
        return note.session.episode.client_id

    @staticmethod
    def resolve_episode_id(note: SessionNote) -> int:
        return note.session.episode_id


class NotePage(Schema):
    count: int
    items: list[NoteSummaryOut]


class NoteIn(StrictInput):
    """The whole draft: fields left out are emptied."""

    interval_history: str = ""
    mood: int | None = Field(None, description="0–10, or null when not known.")
    use_days: int | None = Field(None, ge=0)
    use_summary: str = ""
    problem_area_id: int | None = None
    dispute_stage: str = ""
    techniques: list[str] = []
    homework_reviewed: str = ""
    homework_set: str = ""
    risk_review: str = ""
    risk_notes: str = ""
    next_session_plan: str = ""


class NotePatchIn(PatchInput):
    """A partial change of the draft: fields left out keep their value."""

    interval_history: str | None = None
    mood: int | None = Field(None, description="0–10; null clears it.")
    use_days: int | None = Field(None, ge=0, description="null clears it.")
    use_summary: str | None = None
    problem_area_id: int | None = Field(None, description="null clears it.")
    dispute_stage: str | None = None
    techniques: list[str] | None = None
    homework_reviewed: str | None = None
    homework_set: str | None = None
    risk_review: str | None = None
    risk_notes: str | None = None
    next_session_plan: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: object, info: ValidationInfo) -> object:
        # Numbers and the focus are the fields whose "not known" is null.
        if value is None and info.field_name not in ("mood", "use_days", "problem_area_id"):
            raise ValueError('null is not allowed: leave the field out to keep it, or send "" or [] to clear it')
        return value


class SignatureIn(StrictInput):
    signature: str = Field(description="Your full name, as on your account.")

"""The shapes of counselling notes and their addenda in the JSON API (/api/v1/counselling/)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput


class NoteIn(StrictInput):
    session_id: int | None = Field(None, description="An attended individual or group session of the client.")
    held_on: dt.date | None = Field(None, description="The day of the conversation, when no session is given.")
    text: str = ""


class NotePatch(StrictInput):
    """Only the fields sent change; send session_id null to detach the note from its session (then give held_on)."""

    session_id: int | None = None
    held_on: dt.date | None = None
    text: str | None = None


class SignIn(StrictInput):
    signature: str = Field("", description="The author's full name, as on their account.")


class AddendumIn(StrictInput):
    text: str = ""
    reason: str = ""


class AddendumOut(Schema):
    id: int
    text: str
    reason: str
    author_id: int
    author_name: str
    written_at: dt.datetime


class NoteSummaryOut(Schema):
    """A row of the list: what and when, never the text (read one note for it)."""

    id: int
    client_id: int
    author_id: int
    author_name: str
    session_id: int | None
    held_on: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    signed_at: dt.datetime | None
    signature: str


class NoteOut(NoteSummaryOut):
    text: str
    addenda: list[AddendumOut]


class NotePage(Schema):
    count: int
    items: list[NoteSummaryOut]

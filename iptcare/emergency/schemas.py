"""The shapes of emergency accesses, their review and the duration setting in the JSON API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptcare.clients.api import PageParams
from iptcare.clients.schemas import StaffRef, StrictInput


class EmergencyAccessIn(StrictInput):
    """Every field may be left out, so that each missing one is answered with its own error."""

    identifier: str = Field("", description="The client's identifier, exactly (capitals ignored).")
    reason: str = Field("", description="safety, crisis, on_call or other")
    justification: str = Field("", description="Why the record is needed now; at least 20 characters.")


class ReviewIn(StrictInput):
    outcome: str = Field("", description="appropriate or not_appropriate")
    note: str = Field("", description="Required when the outcome is not_appropriate: what follows up.")


class EmergencySettingsIn(StrictInput):
    duration_minutes: int = Field(description="How long one emergency access lasts: 15 to 1440 minutes.")


class EmergencySettingsOut(Schema):
    duration_minutes: int


class EmergencyListParams(PageParams):
    status: str = Field("", description="Admins: unreviewed, reviewed, or empty for all (unreviewed first).")


class EmergencyAccessOut(Schema):
    id: int
    user: StaffRef
    client_id: int
    client_identifier: str
    reason: str
    reason_label: str
    justification: str
    started_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None
    ended_by_id: int | None
    is_active: bool
    reviewed_at: dt.datetime | None
    reviewed_by: StaffRef | None
    review_outcome: str
    review_note: str


class EmergencyAccessPage(Schema):
    count: int
    items: list[EmergencyAccessOut]

"""Release API shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from iptcare.clients.schemas import StrictInput


class ReleaseIn(StrictInput):
    recipient_name: str = ""
    recipient_organization: str = ""
    recipient_class: str = ""
    purpose: str = ""
    purpose_detail: str = ""
    categories: list[str] = []


class ExportIn(ReleaseIn):
    file_format: str = "json"


class TokenIn(ReleaseIn):
    valid_days: int = 30


class ReleasedDocument(Schema):
    """What leaves: the notice and consent summary first, the FHIR security labels, then the records."""

    notice: str
    notice_version: str
    consent_summary: str
    disclosure: dict[str, Any]
    meta: dict[str, Any]
    client: dict[str, Any]
    records: dict[str, Any]


class TokenOut(Schema):
    id: int
    recipient: str
    purpose: str
    categories: list[str]
    token_hint: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class TokenCreated(TokenOut):
    token: str

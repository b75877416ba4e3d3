"""The shapes of consents, revocations, disclosures and gate checks in the JSON API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput


class RecipientIn(StrictInput):
    kind: str = Field("", description="person, organization or intermediary")
    name: str = ""
    organization: str = ""
    participants: list[str] = Field([], description="An intermediary's member participants, by name.")
    participants_are_treating_providers: bool = False


class ConsentIn(StrictInput):
    """A consent as signed. Every field may be left out so that a missing element is answered with its own error."""

    kind: str = Field("", description="single, tpo, research or counselling_notes")
    discloser_kind: str = Field("program", description="program, or named_staff with named_discloser_ids")
    named_discloser_ids: list[int] = []
    categories: list[str] = []
    information_description: str = ""
    recipients: list[RecipientIn] = []
    recipient_classes: list[str] = Field(
        [], description="TPO only: treating_providers, health_plans, program_operations"
    )
    purposes: list[str] = []
    purpose_other: str = ""
    court_order_reference: str = ""
    effective_from: dt.date | None = Field(None, description="Defaults to the date signed.")
    expiry_kind: str = Field("", description="date (with expires_on), end_of_treatment, or none (TPO only)")
    expires_on: dt.date | None = None
    signer_kind: str = Field("", description="client or representative")
    signer_name: str = Field("", description="The typed name of the signer: the signature.")
    representative_relationship: str = ""
    signed_on: dt.date | None = None
    acknowledged_statements: list[str] = Field(
        [], description="redisclosure, refusal_consequences, not_conditioned: those the kind requires"
    )


class RevocationIn(StrictInput):
    written_on: dt.date | None = None
    revoked_by_name: str = ""
    representative_relationship: str = ""
    reason: str = ""
    in_writing: bool = Field(False, description="Confirms the revocation is in writing, signed and dated.")


class CheckIn(StrictInput):
    recipient_name: str = ""
    recipient_organization: str = ""
    recipient_class: str = ""
    via: str = ""
    purpose: str = ""
    purpose_detail: str = ""
    categories: list[str] = []


class RecipientOut(Schema):
    kind: str
    name: str
    organization: str
    participants: list[str]
    participants_are_treating_providers: bool


class RevocationOut(Schema):
    revoked_at: dt.datetime
    written_on: dt.date
    revoked_by_name: str
    representative_relationship: str
    reason: str


class ConsentOut(Schema):
    id: int
    series: str
    version: int
    supersedes_id: int | None
    status: str
    kind: str
    patient_name: str
    discloser_kind: str
    named_discloser_ids: list[int]
    categories: list[str]
    information_description: str
    recipients: list[RecipientOut]
    recipient_classes: list[str]
    purposes: list[str]
    purpose_other: str
    court_order_reference: str
    effective_from: dt.date
    expiry_kind: str
    expires_on: dt.date | None
    signer_kind: str
    signer_name: str
    representative_relationship: str
    signed_on: dt.date
    acknowledged_statements: list[str]
    statements_version: str
    recorded_at: dt.datetime
    superseded_at: dt.datetime | None
    revocation: RevocationOut | None
    summary: str


class ConsentPage(Schema):
    count: int
    items: list[ConsentOut]


class DisclosureOut(Schema):
    id: int
    disclosed_at: dt.datetime
    disclosed_by: str
    recipient_name: str
    recipient_organization: str
    recipient_class: str
    recipient_via: str
    purpose: str
    purpose_detail: str
    categories: list[str]
    document: str
    channel: str
    consent_id: int
    consent_version: int
    notice_version: str
    notice_text: str
    consent_summary: str


class DisclosurePage(Schema):
    count: int
    items: list[DisclosureOut]


class DecisionOut(Schema):
    allowed: bool
    code: str
    reason: str
    consent_id: int | None
    details: list[str]


class DisclosureSettingsIn(StrictInput):
    notice_form: str


class DisclosureSettingsOut(Schema):
    notice_form: str
    notice_version: str
    notice_text: str

"""The shapes of clients, care-team members and people in the JSON API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator


class StrictInput(Schema):
    """Input that names an unknown field is refused, so a misspelt or read-only field never passes silently."""

    model_config = ConfigDict(extra="forbid")


class PatchInput(StrictInput):
    """A partial update: every field may be left out, none may be null (send "" or [] to clear a field)."""

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: object) -> object:
        if value is None:
            raise ValueError('null is not allowed: leave the field out to keep it, or send "" or [] to clear it')
        return value


class SiteRef(Schema):
    id: int
    name: str


class StaffRef(Schema):
    id: int
    full_name: str
    email: str


class ClientSummaryOut(Schema):
    """A row of the client list: what the caseload page shows, no more. The full record is read one client at a
    time, where the care-team rule applies (directors and admins list clients they may not open)."""

    id: int
    identifier: str
    given_name: str
    family_name: str
    preferred_name: str
    display_name: str
    site: SiteRef
    status: str
    status_since: dt.date
    primary_therapist: StaffRef | None = None
    updated_at: dt.datetime
    can_open: bool = Field(True, description="Whether you may read the full record at /api/v1/clients/{id}.")

    @staticmethod
    def resolve_primary_therapist(client) -> StaffRef | None:
        members = getattr(client, "primary_members", None)  # prefetched by list queries
        if members is None:
            members = client.care_team.filter(team_role="primary_therapist").select_related("user")
        member = next(iter(members), None)
        return member.user if member else None


class ClientOut(ClientSummaryOut):
    """The whole record, for those who may open it."""

    date_of_birth: dt.date
    sex_at_birth: str
    gender_identity: str
    pronouns: str
    email: str
    phone: str
    address: str
    primary_substances: list[str]
    co_occurring_conditions: list[str]
    created_at: dt.datetime


class ClientPage(Schema):
    count: int
    items: list[ClientSummaryOut]


class ClientCreateIn(StrictInput):
    identifier: str
    given_name: str
    family_name: str
    preferred_name: str = ""
    date_of_birth: dt.date
    sex_at_birth: str
    gender_identity: str = ""
    pronouns: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    site_id: int
    status: str = "referred"
    status_since: dt.date | None = Field(None, description="Defaults to today.")
    primary_substances: list[str] = []
    co_occurring_conditions: list[str] = []
    primary_therapist_id: int


class ClientUpdateIn(PatchInput):
    identifier: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: dt.date | None = None
    sex_at_birth: str | None = None
    gender_identity: str | None = None
    pronouns: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    site_id: int | None = None
    status: str | None = None
    status_since: dt.date | None = None
    primary_substances: list[str] | None = None
    co_occurring_conditions: list[str] | None = None


class CareTeamMemberOut(Schema):
    id: int
    user: StaffRef
    team_role: str
    added_at: dt.datetime


class CareTeamMemberPage(Schema):
    count: int
    items: list[CareTeamMemberOut]


class CareTeamMemberIn(StrictInput):
    user_id: int
    team_role: str


class CareTeamMemberUpdateIn(StrictInput):
    team_role: str


class PersonOut(Schema):
    id: int
    name: str
    relationship_type: str
    phone: str
    email: str
    is_support_contact: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonPage(Schema):
    count: int
    items: list[PersonOut]


class PersonIn(StrictInput):
    name: str
    relationship_type: str
    phone: str = ""
    email: str = ""
    is_support_contact: bool = False
    notes: str = ""


class PersonUpdateIn(PatchInput):
    name: str | None = None
    relationship_type: str | None = None
    phone: str | None = None
    email: str | None = None
    is_support_contact: bool | None = None
    notes: str | None = None

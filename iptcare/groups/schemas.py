"""The shapes of groups, members, sessions, attendance and notes in the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput
from iptcare.groups.models import (
    CAPACITY_RANGE,
    DEFAULT_MINUTES,
    AttendanceStatus,
    GroupMember,
    GroupNote,
    GroupSession,
    TherapyGroup,
)
from iptcare.therapy.models import MINUTES_RANGE


class StaffRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(user: Any) -> str:
        return user.full_name


class GroupOut(Schema):
    id: int
    name: str
    site_id: int
    facilitator: StaffRef
    co_facilitator: StaffRef | None
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    start_time: dt.time
    session_minutes: int
    capacity: int
    start_date: dt.date
    status: str
    member_count: int = Field(description="Members who have not left.")
    can_open: bool = Field(description="Whether you may open the group (its members, sessions and notes).")


class GroupPage(Schema):
    count: int
    items: list[GroupOut]


class MemberOut(Schema):
    id: int
    client_id: int
    client_name: str
    episode_id: int
    problem_area: str
    goal: str
    joined_on: dt.date
    left_on: dt.date | None
    leave_reason: str
    pregroup_meeting_id: int | None = Field(None, description="The member's pre-group meeting (a therapy session).")
    pregroup_meeting_status: str = Field("", description="attended, scheduled, missed, or empty when there is none.")

    @staticmethod
    def resolve_client_name(member: GroupMember) -> str:
        return member.client.display_name

    @staticmethod
    def resolve_pregroup_meeting_id(member: GroupMember) -> int | None:
        meeting = getattr(member, "pregroup", None)
        return meeting.pk if meeting is not None else None

    @staticmethod
    def resolve_pregroup_meeting_status(member: GroupMember) -> str:
        meeting = getattr(member, "pregroup", None)
        return meeting.status if meeting is not None else ""


class GroupDetailOut(GroupOut):
    members: list[MemberOut] = Field(
        description="The members you may see: all for a facilitator, else those whose record you may open."
    )
    members_not_shown: int
    warnings: list[str]


class GroupIn(StrictInput):
    name: str = Field(max_length=120)
    site_id: int
    facilitator_id: int
    co_facilitator_id: int | None = None
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    start_time: dt.time = Field(description="Local time, e.g. 17:30.")
    start_date: dt.date = Field(description="The first session; it falls on `weekday`.")
    session_minutes: int = Field(DEFAULT_MINUTES, ge=MINUTES_RANGE[0], le=MINUTES_RANGE[1])
    capacity: int = Field(8, ge=CAPACITY_RANGE[0], le=CAPACITY_RANGE[1])


class MemberIn(StrictInput):
    client_id: int
    problem_area: str = Field("", max_length=200, description="Blank: taken from the client's formulation.")
    goal: str = Field("", max_length=300, description="Blank: taken from the client's formulation.")
    joined_on: dt.date | None = Field(None, description="Defaults to today.")


class LeaveIn(StrictInput):
    left_on: dt.date | None = Field(None, description="Defaults to today.")
    reason: str


class GroupSessionOut(Schema):
    id: int
    number: int | None = Field(description="1–8 in time order; null when cancelled.")
    phase: str = Field(description="initial, middle or termination (WHO Group IPT: 1, 2–7, 8); empty when cancelled.")
    scheduled_start: dt.datetime
    ends_at: dt.datetime
    minutes: int
    status: str
    cancelled_by: str
    cancel_reason: str
    note_state: str = Field(description="none, draft or signed.")

    @staticmethod
    def resolve_note_state(session: GroupSession) -> str:
        note = getattr(session, "note", None)
        if note is None:
            return "none"
        return "signed" if note.is_signed else "draft"


class GroupSessionPage(Schema):
    count: int
    items: list[GroupSessionOut]


class SkippedOut(Schema):
    date: dt.date
    reason: str


class GenerateOut(Schema):
    created: list[GroupSessionOut]
    skipped: list[SkippedOut]


class AttendanceItem(Schema):
    member_id: int
    status: AttendanceStatus


class AttendanceIn(StrictInput):
    items: list[AttendanceItem] = Field(description="Members left out keep what they had.")


class AttendanceItemOut(Schema):
    member_id: int
    status: str


class AttendanceOut(Schema):
    session: GroupSessionOut
    items: list[AttendanceItemOut]
    members_not_shown: int


class MemberNoteOut(Schema):
    id: int
    member_id: int
    worked_on: str
    mood: int | None
    risk_flag: bool
    risk_notes: str
    written_by_id: int
    updated_at: dt.datetime


class GroupNoteOut(Schema):
    id: int
    session_id: int
    author_id: int
    worked_on: str
    themes: str
    techniques: list[str]
    flagged_for_supervision: bool
    observations: str
    is_signed: bool
    signature: str
    signed_by_id: int | None
    signed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    member_notes: list[MemberNoteOut] = Field(description="Of the members you may see.")

    @staticmethod
    def resolve_member_notes(note: GroupNote) -> list[Any]:
        return getattr(note, "shown_member_notes", [])


class GroupNoteIn(StrictInput):
    """The whole draft: fields left out are emptied."""

    worked_on: str = ""
    themes: str = ""
    techniques: list[str] = Field([], description="therapy technique values, as in a session note.")
    observations: str = ""


class MemberNoteIn(StrictInput):
    """The member's whole note: fields left out are emptied."""

    worked_on: str = ""
    mood: int | None = Field(None, ge=0, le=10)
    risk_flag: bool = False
    risk_notes: str = ""


def group_out(group: TherapyGroup, **values: Any) -> dict[str, Any]:
    """The group as GroupOut reads it, with the values a list computes (member_count, can_open)."""
    return {
        "id": group.pk,
        "name": group.name,
        "site_id": group.site_id,
        "facilitator": group.facilitator,
        "co_facilitator": group.co_facilitator,
        "weekday": group.weekday,
        "start_time": group.start_time,
        "session_minutes": group.session_minutes,
        "capacity": group.capacity,
        "start_date": group.start_date,
        "status": group.status,
        **values,
    }

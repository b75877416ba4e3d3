"""API operations for the episode's interpersonal inventory and closeness circle, under /api/v1/ipt/.

The same access function, form and actions as the pages, so the rules and the audit trail are the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, ValidationInfo, field_validator

from iptcare.clients.schemas import PatchInput, StaffRef, StrictInput
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions_inventory import (
    do_record_inventory_entry,
    do_update_inventory_entry,
    inventory_of,
    people_not_in_inventory,
    record_inventory_read,
)
from iptcare.ipt.circle import (
    compare_circles,
    default_then,
    describe_circle,
    has_conflict,
    latest_per_person,
    ring_changes,
    tone_of,
)
from iptcare.ipt.forms_inventory import CircleDatesForm, InventoryEntryForm, entry_form_values
from iptcare.ipt.models import InventoryEntry
from iptcare.lib.api_errors import FormInvalid

router = Router(tags=["ipt"])

BASE = "clients/{client_id}/episodes/{episode_id}/inventory"


class PersonRef(Schema):
    id: int
    name: str
    relationship_type: str


class InventoryEntryOut(Schema):
    id: int
    person: PersonRef
    recorded_on: dt.date
    ring: int
    contact_frequency: str
    good_things: str
    not_so_good: str
    can_talk_about: str
    cannot_talk_about: str
    client_expects: str
    they_expect: str
    expectations_met: str
    conflict_pattern: str
    knows_about_problems: bool | None
    change_since_onset: str
    uses_with_client: bool
    supports_recovery: bool
    part_in_triggers: str
    tone: str
    recorded_by: StaffRef
    created_at: dt.datetime

    @staticmethod
    def resolve_tone(entry: InventoryEntry) -> str:
        return tone_of(entry)


class RingChangeOut(Schema):
    person_id: int
    old_ring: int
    new_ring: int
    on: dt.date


class InventoryOut(Schema):
    current: list[InventoryEntryOut]
    history: list[InventoryEntryOut]
    ring_changes: list[RingChangeOut]
    people_not_listed: list[PersonRef]


class CirclePersonOut(Schema):
    person: PersonRef
    entry_id: int
    recorded_on: dt.date
    ring: int
    tone: str
    supports_recovery: bool
    has_conflict: bool
    expectations_met: str
    uses_with_client: bool


class CircleOut(Schema):
    on: dt.date
    people: list[CirclePersonOut]
    description: str


class CircleChangeOut(Schema):
    person_id: int
    name: str
    kind: str = Field(description='"closer", "further" (ring 1 is the innermost) or "new" (no entry on `then`).')
    label: str = Field(description='In words, e.g. "Moved closer (ring 3 → 1)" or "New since 2026-03-10 …".')
    then_ring: int | None = Field(description="null when the person had no entry yet on `then`.")
    now_ring: int


class CircleComparisonOut(Schema):
    then: dt.date
    now: dt.date
    changes: list[CircleChangeOut]
    unchanged: list[CirclePersonOut] = Field(description="People on the same ring on both dates.")


class InventoryEntryIn(StrictInput):
    person_id: int
    recorded_on: dt.date | None = None
    ring: int
    contact_frequency: str = ""
    good_things: str = ""
    not_so_good: str = ""
    can_talk_about: str = ""
    cannot_talk_about: str = ""
    client_expects: str = ""
    they_expect: str = ""
    expectations_met: str = ""
    conflict_pattern: str = ""
    knows_about_problems: bool | None = None
    change_since_onset: str = ""
    uses_with_client: bool = False
    supports_recovery: bool = False
    part_in_triggers: str = ""


class InventoryEntryUpdateIn(PatchInput):
    """The person stays: an entry for someone else is a new entry. Null is allowed only for
    knows_about_problems, where it means "not recorded"."""

    recorded_on: dt.date | None = None
    ring: int | None = None
    contact_frequency: str | None = None
    good_things: str | None = None
    not_so_good: str | None = None
    can_talk_about: str | None = None
    cannot_talk_about: str | None = None
    client_expects: str | None = None
    they_expect: str | None = None
    expectations_met: str | None = None
    conflict_pattern: str | None = None
    knows_about_problems: bool | None = None
    change_since_onset: str | None = None
    uses_with_client: bool | None = None
    supports_recovery: bool | None = None
    part_in_triggers: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name != "knows_about_problems":
            raise ValueError('null is not allowed: leave the field out to keep it, or send "" to clear it')
        return value


def _validate(form: BaseForm) -> dict[str, Any]:
    if not form.is_valid():
        raise _renamed(FormInvalid.from_form(form))
    return form.cleaned_data


def _renamed(error: FormInvalid) -> FormInvalid:
    """The API calls the person "person_id", where the form calls it "person"."""
    return FormInvalid(
        {("person_id" if name == "person" else name): messages for name, messages in error.errors.items()}
    )


def _access_entry(request: HttpRequest, client_id: int, episode_id: int, entry_id: int, *, write: bool):
    episode = access_episode_by_id(request.user, client_id, episode_id, write=write)
    try:
        entry = InventoryEntry.objects.select_related("person", "recorded_by").get(episode=episode, pk=entry_id)
    except (InventoryEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("No inventory entry found.") from None
    entry.episode = episode
    return entry


@router.get(BASE, response=InventoryOut, summary="The inventory: each person's latest entry, and every entry")
def read_inventory(request: HttpRequest, client_id: int, episode_id: int) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_inventory_read(episode, acting_user=request.user, view="list")
    entries = inventory_of(episode)
    changes = [
        {"person_id": person_id, "old_ring": c.old_ring, "new_ring": c.new_ring, "on": c.on}
        for person_id, person_changes in ring_changes(entries).items()
        for c in person_changes
    ]
    changes.sort(key=lambda c: (c["on"], c["person_id"]))
    return {
        "current": latest_per_person(entries),
        "history": sorted(entries, key=lambda e: (e.recorded_on, e.pk), reverse=True),
        "ring_changes": changes,
        "people_not_listed": people_not_in_inventory(episode),
    }


@router.post(BASE, response={201: InventoryEntryOut}, summary="Record a person's entry as of a date")
def create_inventory_entry(request: HttpRequest, client_id: int, episode_id: int, payload: InventoryEntryIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = payload.dict()
    data["person"] = data.pop("person_id")
    if data["recorded_on"] is None:
        data["recorded_on"] = timezone.localdate()
    cleaned = _validate(InventoryEntryForm(data=data, episode=episode))
    try:
        entry = do_record_inventory_entry(episode, cleaned["person"], cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _renamed(FormInvalid.from_validation_error(error)) from None
    return Status(201, entry)


@router.get(BASE + "/circle", response=CircleOut, summary="The closeness circle as of a date (default today)")
def read_circle(request: HttpRequest, client_id: int, episode_id: int, on: dt.date | None = None) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    on = on or timezone.localdate()
    record_inventory_read(episode, acting_user=request.user, view="circle", on=str(on))
    current = latest_per_person(inventory_of(episode), on)
    return {"on": on, "people": [_circle_person(entry) for entry in current], "description": describe_circle(current)}


def _circle_person(entry: InventoryEntry) -> dict[str, Any]:
    return {
        "person": entry.person,
        "entry_id": entry.pk,
        "recorded_on": entry.recorded_on,
        "ring": entry.ring,
        "tone": tone_of(entry),
        "supports_recovery": entry.supports_recovery,
        "has_conflict": has_conflict(entry),
        "expectations_met": entry.expectations_met,
        "uses_with_client": entry.uses_with_client,
    }


@router.get(
    BASE + "/circle/changes",
    response=CircleComparisonOut,
    summary="Who moved closer, further out or is new between two dates (then defaults to the first entry, now "
    "to today; then may not be after now)",
)
def compare_circle(
    request: HttpRequest, client_id: int, episode_id: int, then: dt.date | None = None, now: dt.date | None = None
) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    cleaned = _validate(CircleDatesForm(data={"then": then or "", "now": now or ""}))
    entries = inventory_of(episode)
    later = cleaned["now"] or timezone.localdate()
    earlier = cleaned["then"] or default_then(entries, fallback=episode.start_date, now=later)
    record_inventory_read(episode, acting_user=request.user, view="circle", then=str(earlier), now=str(later))
    _then_circle, now_circle, changes = compare_circles(entries, earlier, later)
    changed = {change.person_id for change in changes}
    return {
        "then": earlier,
        "now": later,
        "changes": [
            {
                "person_id": c.person_id,
                "name": c.name,
                "kind": c.kind,
                "label": c.label,
                "then_ring": c.then_ring,
                "now_ring": c.now_ring,
            }
            for c in changes
        ],
        "unchanged": [_circle_person(entry) for entry in now_circle if entry.person_id not in changed],
    }


@router.get(BASE + "/{entry_id}", response=InventoryEntryOut, summary="Read one inventory entry")
def read_inventory_entry(request: HttpRequest, client_id: int, episode_id: int, entry_id: int) -> InventoryEntry:
    entry = _access_entry(request, client_id, episode_id, entry_id, write=False)
    record_inventory_read(entry.episode, acting_user=request.user, view="entry", entry=entry.pk)
    return entry


@router.patch(BASE + "/{entry_id}", response=InventoryEntryOut, summary="Correct an entry; send only what changes")
def update_inventory_entry(
    request: HttpRequest, client_id: int, episode_id: int, entry_id: int, payload: InventoryEntryUpdateIn
) -> InventoryEntry:
    entry = _access_entry(request, client_id, episode_id, entry_id, write=True)
    data = entry_form_values(entry) | payload.dict(exclude_unset=True)
    cleaned = _validate(InventoryEntryForm(data=data, instance=entry, episode=entry.episode))
    try:
        return do_update_inventory_entry(entry, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _renamed(FormInvalid.from_validation_error(error)) from None

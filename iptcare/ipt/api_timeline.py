"""/api/v1/ipt/clients/{client_id}/episodes/{episode_id}/timeline and .../triggers.

The same access functions, forms and actions as the pages, so the rules and the audit trail are the same: reads
need a record the caller may open, writes need care-team membership; anything else answers 404. People are sent
and returned as ids of the client's own people (/api/v1/clients/{client_id}/people).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, ValidationInfo, field_validator

from iptcare.clients.schemas import PatchInput, StrictInput
from iptcare.ipt.access import access_episode_by_id, access_timeline_event_by_id, access_trigger_by_id
from iptcare.ipt.actions_timeline import (
    do_add_timeline_event,
    do_add_trigger,
    do_update_timeline_event,
    do_update_trigger,
    record_episode_read,
    timeline_events_of,
    triggers_of,
)
from iptcare.ipt.forms_timeline import TimelineEventForm, TriggerForm, event_form_values, trigger_form_values
from iptcare.ipt.models import EventType, TimelineEvent, Trigger
from iptcare.lib.api_errors import FormInvalid, validate_form

router = Router(tags=["ipt"])

EPISODE_PATH = "clients/{client_id}/episodes/{episode_id}"
EVENT_TYPES = "One of: " + ", ".join(EventType.values) + ' ("onset" is when the problems began).'


# ---------------------------------------------------------------------------------------------------- schemas


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="Page size, at most 200.")
    offset: int = Field(0, ge=0)


class PersonRef(Schema):
    id: int
    name: str


class TimelineEventOut(Schema):
    id: int
    episode_id: int | None = Field(description="The episode the event was recorded in.")
    date: dt.date
    date_is_approximate: bool
    event_type: str = Field(description=EVENT_TYPES)
    title: str
    people: list[PersonRef]
    mood: int | None
    use_change: str
    substance: str = Field(description='A clients Substance value, or "" for use in general.')
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_people(event: TimelineEvent) -> list[Any]:
        return list(event.people.all())


class TimelineEventPage(Schema):
    count: int
    items: list[TimelineEventOut]


class TimelineEventIn(StrictInput):
    date: dt.date
    date_is_approximate: bool = False
    event_type: str = Field(description=EVENT_TYPES)
    title: str
    people_ids: list[int] = []
    mood: int | None = Field(None, description="0–10, or null when not known.")
    use_change: str = ""
    substance: str = Field("", description='The substance of the change in use; "" for use in general.')
    note: str = ""


class TimelineEventUpdateIn(PatchInput):
    date: dt.date | None = None
    date_is_approximate: bool | None = None
    event_type: str | None = None
    title: str | None = None
    people_ids: list[int] | None = None
    mood: int | None = Field(None, description="0–10; null clears it.")
    use_change: str | None = None
    substance: str | None = None
    note: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def refuse_null(cls, value: object, info: ValidationInfo) -> object:
        # Mood is the one field whose "not known" is null.
        if value is None and info.field_name != "mood":
            raise ValueError('null is not allowed: leave the field out to keep it, or send "" or [] to clear it')
        return value


class TriggerOut(Schema):
    id: int
    episode_id: int | None = Field(description="The episode the trigger was recorded in.")
    trigger_type: str
    description: str
    people: list[PersonRef]
    places: str
    feelings: str
    risk_level: str
    coping_response: str
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_people(trigger: Trigger) -> list[Any]:
        return list(trigger.people.all())


class TriggerPage(Schema):
    count: int
    items: list[TriggerOut]


class TriggerIn(StrictInput):
    trigger_type: str
    description: str
    people_ids: list[int] = []
    places: str = ""
    feelings: str = ""
    risk_level: str
    coping_response: str = ""


class TriggerUpdateIn(PatchInput):
    trigger_type: str | None = None
    description: str | None = None
    people_ids: list[int] | None = None
    places: str | None = None
    feelings: str | None = None
    risk_level: str | None = None
    coping_response: str | None = None
    is_active: bool | None = Field(None, description="false retires the trigger; triggers are never deleted.")


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    """API input under the form's field names: "people_ids" is the form's "people"."""
    data = dict(payload)
    if "people_ids" in data:
        data["people"] = data.pop("people_ids")
    if data.get("mood", "") is None:
        data["mood"] = ""
    return data


def _with_api_names(invalid: FormInvalid) -> FormInvalid:
    if "people" in invalid.errors:
        invalid.errors["people_ids"] = invalid.errors.pop("people")
    return invalid


def _errors_as_api(error: ValidationError) -> FormInvalid:
    return _with_api_names(FormInvalid.from_validation_error(error))


def _validate(form: TimelineEventForm | TriggerForm) -> dict[str, Any]:
    try:
        return validate_form(form)
    except FormInvalid as invalid:
        raise _with_api_names(invalid) from None


# ---------------------------------------------------------------------------------------------------- timeline


@router.get(f"{EPISODE_PATH}/timeline", response=TimelineEventPage, summary="List the client's timeline by date")
def list_timeline_events(
    request: HttpRequest, client_id: int, episode_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_episode_read(episode, "timeline", acting_user=request.user)
    events = timeline_events_of(episode.client)
    return {"count": len(events), "items": events[params.offset : params.offset + params.limit]}


@router.post(f"{EPISODE_PATH}/timeline", response={201: TimelineEventOut}, summary="Add a timeline event")
def create_timeline_event(request: HttpRequest, client_id: int, episode_id: int, payload: TimelineEventIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    cleaned = _validate(TimelineEventForm(data=_form_data(payload.dict()), client=episode.client))
    try:
        event = do_add_timeline_event(episode, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _errors_as_api(error) from None
    return Status(201, event)


@router.get(f"{EPISODE_PATH}/timeline/{{event_id}}", response=TimelineEventOut, summary="Read one timeline event")
def read_timeline_event(request: HttpRequest, client_id: int, episode_id: int, event_id: int) -> TimelineEvent:
    episode, event = access_timeline_event_by_id(request.user, client_id, episode_id, event_id)
    record_episode_read(episode, "timeline", acting_user=request.user, obj=event)
    return event


@router.patch(
    f"{EPISODE_PATH}/timeline/{{event_id}}",
    response=TimelineEventOut,
    summary="Change a timeline event; send only the fields to change",
)
def update_timeline_event(
    request: HttpRequest, client_id: int, episode_id: int, event_id: int, payload: TimelineEventUpdateIn
) -> TimelineEvent:
    episode, event = access_timeline_event_by_id(request.user, client_id, episode_id, event_id, write=True)
    data = event_form_values(event) | _form_data(payload.dict(exclude_unset=True))
    cleaned = _validate(TimelineEventForm(data=data, instance=event, client=episode.client))
    try:
        return do_update_timeline_event(event, cleaned, episode=episode, acting_user=request.user)
    except ValidationError as error:
        raise _errors_as_api(error) from None


# ---------------------------------------------------------------------------------------------------- triggers


@router.get(f"{EPISODE_PATH}/triggers", response=TriggerPage, summary="List the client's triggers, current first")
def list_triggers(request: HttpRequest, client_id: int, episode_id: int, params: Query[PageParams]) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_episode_read(episode, "trigger", acting_user=request.user)
    found = triggers_of(episode.client)
    return {"count": len(found), "items": found[params.offset : params.offset + params.limit]}


@router.post(f"{EPISODE_PATH}/triggers", response={201: TriggerOut}, summary="Add a trigger")
def create_trigger(request: HttpRequest, client_id: int, episode_id: int, payload: TriggerIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    cleaned = _validate(TriggerForm(data=_form_data(payload.dict()), client=episode.client))
    try:
        trigger = do_add_trigger(episode, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _errors_as_api(error) from None
    return Status(201, trigger)


@router.get(f"{EPISODE_PATH}/triggers/{{trigger_id}}", response=TriggerOut, summary="Read one trigger")
def read_trigger(request: HttpRequest, client_id: int, episode_id: int, trigger_id: int) -> Trigger:
    episode, trigger = access_trigger_by_id(request.user, client_id, episode_id, trigger_id)
    record_episode_read(episode, "trigger", acting_user=request.user, obj=trigger)
    return trigger


@router.patch(
    f"{EPISODE_PATH}/triggers/{{trigger_id}}",
    response=TriggerOut,
    summary="Change a trigger, or retire it with is_active=false; send only the fields to change",
)
def update_trigger(
    request: HttpRequest, client_id: int, episode_id: int, trigger_id: int, payload: TriggerUpdateIn
) -> Trigger:
    episode, trigger = access_trigger_by_id(request.user, client_id, episode_id, trigger_id, write=True)
    data = trigger_form_values(trigger) | _form_data(payload.dict(exclude_unset=True))
    cleaned = _validate(TriggerForm(data=data, instance=trigger, client=episode.client))
    try:
        return do_update_trigger(trigger, cleaned, episode=episode, acting_user=request.user)
    except ValidationError as error:
        raise _errors_as_api(error) from None

"""API operations for episodes, their status, phase guidance and assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from iptcare.accounts.models import User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES, access_client_by_id
from iptcare.clients.models import Client
from iptcare.clients.schemas import PatchInput, StrictInput
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions import (
    do_change_episode_status,
    do_open_episode,
    do_record_termination_raised,
    do_update_episode,
)
from iptcare.ipt.guidance import guidance_for
from iptcare.ipt.models import Episode, EpisodeStatus, Format
from iptcare.lib.api_errors import FormInvalid

router = Router(tags=["ipt"])


class EpisodeIn(StrictInput):
    format: Format
    primary_therapist_id: int
    planned_sessions: int | None = Field(None, description="Defaults to the format's usual number.")
    session_minutes: int = Field(50, ge=15, le=180)
    start_date: dt.date | None = None


class EpisodePatch(PatchInput):
    primary_therapist_id: int | None = None
    session_minutes: int | None = Field(None, ge=15, le=180)
    start_date: dt.date | None = None


class StatusIn(StrictInput):
    status: EpisodeStatus
    note: str = ""


class TaskOut(Schema):
    key: str
    label: str
    done: bool


class EpisodeOut(Schema):
    id: int
    client_id: int
    format: str
    primary_therapist_id: int
    planned_sessions: int
    session_minutes: int
    start_date: dt.date
    status: str


class TerminationOut(Schema):
    prompt_from_session: int
    due_by_session: int
    raised_on: dt.date | None
    prompt: bool = Field(description="From session N−4 until termination is raised.")
    late: bool = Field(description="Session N−2 was held and termination was not raised.")


class EpisodeDetailOut(EpisodeOut):
    phase: str
    estimated_session: int
    sessions_held: int | None = Field(description="None while no session is recorded (then the estimate applies).")
    sessions_left: int
    next_session: int
    next_session_phase: str
    initial_phase_last_session: int
    initial_phase_overdue: bool
    tasks: list[TaskOut]
    termination: TerminationOut | None
    measures_due: list[str]
    suggested_status: str


class TerminationIn(StrictInput):
    raised_on: dt.date


def _detail(episode: Episode) -> dict[str, Any]:
    guidance = guidance_for(episode)
    return {
        **{name: getattr(episode, name) for name in EpisodeOut.model_fields},
        "phase": guidance.phase,
        "estimated_session": guidance.estimated_session,
        "initial_phase_last_session": guidance.initial_phase_last_session,
        "initial_phase_overdue": guidance.overdue,
        "tasks": [{"key": t.key, "label": t.label, "done": t.done} for t in guidance.tasks],
        "sessions_held": guidance.held,
        "sessions_left": guidance.sessions_left,
        "next_session": guidance.next_session,
        "next_session_phase": guidance.next_session_phase,
        "termination": _termination(episode, guidance.termination),
        "measures_due": [due.instrument_code for due in guidance.measures_due],
        "suggested_status": guidance.suggested_status,
    }


def _termination(episode: Episode, status: Any) -> dict[str, Any] | None:
    if status is None or not status.applies:
        return None
    return {
        "prompt_from_session": status.prompt_from,
        "due_by_session": status.deadline,
        "raised_on": episode.termination_raised_on,
        "prompt": status.due,
        "late": status.late,
    }


@router.get("clients/{client_id}/episodes", response=list[EpisodeOut], summary="A client's episodes of IPT")
def list_episodes(request: HttpRequest, client_id: int) -> list:
    client = access_client_by_id(request.user, client_id)
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=client, obj=client)
    return list(Episode.objects.filter(client=client))


def _therapist(client: Client, user_id: int) -> User:
    therapist = (
        client.organization.staff.filter(pk=user_id, is_active=True, memberships__role__in=PRIMARY_THERAPIST_ROLES)
        .distinct()
        .first()
    )
    if therapist is None:
        raise FormInvalid({"primary_therapist_id": ["Choose an active therapist or counsellor of this organization."]})
    return therapist


@router.post("clients/{client_id}/episodes", response={201: EpisodeDetailOut}, summary="Open an episode")
def open_episode(request: HttpRequest, client_id: int, payload: EpisodeIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    therapist = _therapist(client, payload.primary_therapist_id)
    try:
        episode = do_open_episode(
            client,
            format_=payload.format,
            primary_therapist=therapist,
            acting_user=request.user,
            planned_sessions=payload.planned_sessions,
            session_minutes=payload.session_minutes,
            start_date=payload.start_date,
        )
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return Status(201, _detail(episode))


@router.get(
    "clients/{client_id}/episodes/{episode_id}", response=EpisodeDetailOut, summary="One episode with its phase tasks"
)
def read_episode(request: HttpRequest, client_id: int, episode_id: int) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=episode.client, obj=episode)
    return _detail(episode)


@router.patch(
    "clients/{client_id}/episodes/{episode_id}",
    response=EpisodeDetailOut,
    summary="Change the therapist, session length or start date (sessions change by renegotiation)",
)
def update_episode(request: HttpRequest, client_id: int, episode_id: int, payload: EpisodePatch) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = payload.model_dump(exclude_unset=True)
    if "primary_therapist_id" in data:
        data["primary_therapist"] = _therapist(episode.client, data.pop("primary_therapist_id"))
    try:
        do_update_episode(episode, data, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return _detail(episode)


@router.post(
    "clients/{client_id}/episodes/{episode_id}/termination",
    response=EpisodeDetailOut,
    summary="Record the day the end of treatment was raised with the client",
)
def record_termination(request: HttpRequest, client_id: int, episode_id: int, payload: TerminationIn) -> dict:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    try:
        do_record_termination_raised(episode, payload.raised_on, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return _detail(episode)


@router.post("clients/{client_id}/episodes/{episode_id}/status", response=EpisodeDetailOut, summary="Change the status")
def change_status(request: HttpRequest, client_id: int, episode_id: int, payload: StatusIn) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    if payload.status == EpisodeStatus.COMPLETED:
        raise FormInvalid({"status": ["An episode is completed by recording its closure (/api/v1/plans/…/closure)."]})
    if payload.status not in ("planned", "assessment", "treatment", "closure") and not payload.note.strip():
        raise FormInvalid({"note": ["Say why the episode ends here."]})
    try:
        do_change_episode_status(episode, payload.status, acting_user=request.user, note=payload.note)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return _detail(episode)

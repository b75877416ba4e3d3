"""API operations for the assessment: the history, each substance's history, the diagnosis and the medication
review. The same forms validate as on the pages, and the same actions record the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from iptcare.accounts.models import Role
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.schemas import PatchInput, StrictInput
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions_assessment import (
    HISTORY_FIELDS,
    PHYSICIAN_FIELDS,
    do_save_assessment,
    do_save_substance_history,
)
from iptcare.ipt.forms import AssessmentForm, SubstanceHistoryForm
from iptcare.ipt.models import Assessment, Episode, Route
from iptcare.lib.api_errors import FormInvalid, validate_form

router = Router(tags=["ipt"])


class SubstanceHistoryOut(Schema):
    substance: str
    substance_label: str
    age_at_first_use: int | None
    pattern: str
    last_use: dt.date | None
    route: str
    prior_treatment: str
    overdoses: int


class AssessmentOut(Schema):
    mental_health_history: str = ""
    medical_conditions: str = ""
    housing: str = ""
    work: str = ""
    legal: str = ""
    children: str = ""
    strengths: str = ""
    diagnosis_explained_on: dt.date | None = None
    medications: str = ""
    medication_assessed_on: dt.date | None = None
    medication_assessed_by_id: int | None = None
    substance_histories: list[SubstanceHistoryOut]


class AssessmentPatch(PatchInput):
    mental_health_history: str | None = None
    medical_conditions: str | None = None
    housing: str | None = None
    work: str | None = None
    legal: str | None = None
    children: str | None = None
    strengths: str | None = None
    diagnosis_explained_on: dt.date | None = None
    medications: str | None = None
    medication_assessed_on: dt.date | None = None


class SubstanceHistoryIn(StrictInput):
    substance: str
    age_at_first_use: int | None = None
    pattern: str = ""
    last_use: dt.date | None = None
    route: Route | None = None
    prior_treatment: str = ""
    overdoses: int = 0


def _assessment_out(episode: Episode) -> dict[str, Any]:
    assessment = Assessment.objects.filter(episode=episode).first()
    fields = {name: getattr(assessment, name) for name in HISTORY_FIELDS + PHYSICIAN_FIELDS} if assessment else {}
    return {
        **fields,
        "medication_assessed_by_id": assessment.medication_assessed_by_id if assessment else None,
        "substance_histories": list(episode.substance_histories.all()),
    }


@router.get(
    "clients/{client_id}/episodes/{episode_id}/assessment",
    response=AssessmentOut,
    summary="The assessment, with each substance's history",
)
def read_assessment(request: HttpRequest, client_id: int, episode_id: int) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_event(
        EventType.EPISODE_VIEWED, actor=request.user, client=episode.client, obj=episode, extra={"kind": "assessment"}
    )
    return _assessment_out(episode)


@router.patch(
    "clients/{client_id}/episodes/{episode_id}/assessment",
    response=AssessmentOut,
    summary="Change the assessment (medications and the medication review: physicians only)",
)
def update_assessment(request: HttpRequest, client_id: int, episode_id: int, payload: AssessmentPatch) -> dict:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    given = payload.model_dump(exclude_unset=True)
    may_record_medications = request.user.has_role(Role.PHYSICIAN)
    refused = [name for name in PHYSICIAN_FIELDS if name in given and not may_record_medications]
    if refused:
        raise FormInvalid({name: ["Only a physician records this."] for name in refused})
    stored = Assessment.objects.filter(episode=episode).first() or Assessment(episode=episode)
    current = {name: getattr(stored, name) for name in AssessmentForm.Meta.fields}
    form = AssessmentForm(
        {name: ("" if value is None else value) for name, value in {**current, **given}.items()},
        instance=stored,
        episode=episode,
        may_record_medications=True,
    )
    cleaned = validate_form(form)
    do_save_assessment(
        episode,
        {name: cleaned[name] for name in given},
        acting_user=request.user,
        may_record_medications=may_record_medications,
    )
    return _assessment_out(episode)


@router.put(
    "clients/{client_id}/episodes/{episode_id}/assessment/substances",
    response=SubstanceHistoryOut,
    summary="Record a substance's history (replaces that substance's earlier record)",
)
def save_substance_history(request: HttpRequest, client_id: int, episode_id: int, payload: SubstanceHistoryIn) -> Any:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = {name: ("" if value is None else value) for name, value in payload.model_dump().items()}
    cleaned = validate_form(SubstanceHistoryForm(data, client=episode.client))
    try:
        return do_save_substance_history(episode, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None

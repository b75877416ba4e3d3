"""API operations for the episode's formulation, problem areas, goals, treatment contract and renegotiation.

The same access functions, forms and actions as the pages (views_formulation), so the rules and the audit trail
are the same. Refusals by a rule answer 422 in the API's one error shape.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.schemas import PatchInput, StrictInput
from iptcare.ipt.access import access_episode_by_id, access_goal_by_id, access_problem_area_by_id
from iptcare.ipt.actions_formulation import (
    PROBLEM_AREA_PEOPLE,
    default_frequency,
    do_add_goal,
    do_add_problem_area,
    do_change_dispute_stage,
    do_delete_goal,
    do_delete_problem_area,
    do_renegotiate_sessions,
    do_save_contract,
    do_save_formulation,
    do_sign_contract,
    do_update_goal,
    do_update_problem_area,
    fields_not_for,
)
from iptcare.ipt.forms_formulation import (
    ContractForm,
    ContractSignForm,
    DisputeStageForm,
    FormulationForm,
    GoalForm,
    ProblemAreaForm,
    RenegotiationForm,
    goal_form_values,
    modality_formset,
    modality_formset_data,
    problem_area_form_values,
)
from iptcare.ipt.models import Contract, DisputeStageChange, Episode, Formulation, Goal, Modality, ProblemArea
from iptcare.lib.api_errors import FormInvalid

router = Router(tags=["ipt"])

EPISODE = "clients/{client_id}/episodes/{episode_id}/"

# The API names links "<name>_id" or "<name>_ids" where the forms use the relation's name.
API_TO_FORM_FIELDS = {
    "dispute_with_id": "dispute_with",
    "deceased_id": "deceased",
    "inventory_entry_ids": "inventory_entries",
    "timeline_event_ids": "timeline_events",
    "trigger_ids": "triggers",
}
FORM_TO_API_FIELDS = {form: api for api, form in API_TO_FORM_FIELDS.items()}


# ---------------------------------------------------------------------------------------------------- schemas


class GoalOut(Schema):
    id: int
    problem_area_id: int
    description: str
    evidence_kind: str
    evidence_detail: str
    status: str
    created_at: dt.datetime


class DisputeStageChangeOut(Schema):
    id: int
    stage: str
    changed_on: dt.date
    note: str
    recorded_by_id: int
    created_at: dt.datetime


class ProblemAreaOut(Schema):
    id: int
    kind: str
    # Grief only.
    deceased_id: int | None
    death_date: dt.date | None
    # Role dispute only: the current stage, and each stage with the date it began (oldest first).
    dispute_with_id: int | None
    dispute_stage: str
    stage_changes: list[DisputeStageChangeOut]
    # Role transition only.
    old_role: str
    new_role: str
    rationale: str
    why_not_other_areas: str
    inventory_entry_ids: list[int]
    timeline_event_ids: list[int]
    trigger_ids: list[int]
    goals: list[GoalOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_inventory_entry_ids(area: ProblemArea) -> list[int]:
        return [entry.pk for entry in area.inventory_entries.all()]

    @staticmethod
    def resolve_timeline_event_ids(area: ProblemArea) -> list[int]:
        return [event.pk for event in area.timeline_events.all()]

    @staticmethod
    def resolve_trigger_ids(area: ProblemArea) -> list[int]:
        return [trigger.pk for trigger in area.triggers.all()]

    @staticmethod
    def resolve_goals(area: ProblemArea) -> list[Goal]:
        return list(area.goals.all())

    @staticmethod
    def resolve_stage_changes(area: ProblemArea) -> list[DisputeStageChange]:
        return list(area.stage_changes.all())


class FormulationOut(Schema):
    id: int | None
    text: str
    sick_role_given_on: dt.date | None
    accepted_on: dt.date | None
    declined_reason: str
    is_accepted: bool
    updated_at: dt.datetime | None
    problem_areas: list[ProblemAreaOut]


class FormulationIn(StrictInput):
    text: str = ""
    sick_role_given_on: dt.date | None = None
    accepted_on: dt.date | None = None
    declined_reason: str = ""


class ProblemAreaIn(StrictInput):
    """The fields of another kind than `kind` are refused (422), not ignored."""

    kind: str
    deceased_id: int | None = None
    death_date: dt.date | None = None
    dispute_with_id: int | None = None
    dispute_stage: str = ""
    old_role: str = ""
    new_role: str = ""
    rationale: str
    why_not_other_areas: str = ""
    inventory_entry_ids: list[int] = []
    timeline_event_ids: list[int] = []
    trigger_ids: list[int] = []


class ProblemAreaUpdateIn(PatchInput):
    """A new `kind` clears the old kind's fields left out; the fields sent must fit the kind (else 422)."""

    kind: str | None = None
    # "" clears it.
    deceased_id: int | str | None = None
    death_date: dt.date | Literal[""] | None = None
    dispute_with_id: int | str | None = None
    dispute_stage: str | None = None
    old_role: str | None = None
    new_role: str | None = None
    rationale: str | None = None
    why_not_other_areas: str | None = None
    inventory_entry_ids: list[int] | None = None
    timeline_event_ids: list[int] | None = None
    trigger_ids: list[int] | None = None


class DisputeStageChangeIn(StrictInput):
    stage: str
    # Today when left out.
    changed_on: dt.date | None = None
    note: str = ""


class GoalIn(StrictInput):
    description: str
    evidence_kind: str
    evidence_detail: str = ""
    status: str = "open"


class GoalUpdateIn(PatchInput):
    description: str | None = None
    evidence_kind: str | None = None
    evidence_detail: str | None = None
    status: str | None = None


class ModalitySchema(Schema):
    kind: str
    provider: str


class RenegotiationOut(Schema):
    id: int
    old_sessions: int
    new_sessions: int
    reason: str
    agreed_on: dt.date
    created_at: dt.datetime


class ContractOut(Schema):
    id: int
    sessions: int
    session_minutes: int
    frequency: str
    start_date: dt.date
    end_date: dt.date
    focus: str
    modalities: list[ModalitySchema]
    therapist_signature: str
    therapist_signed_at: dt.datetime | None
    client_signature: str
    client_signed_at: dt.datetime | None
    is_signed: bool
    planned_sessions: int
    renegotiations: list[RenegotiationOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_modalities(contract: Contract) -> list[Modality]:
        return list(contract.modalities.all())

    @staticmethod
    def resolve_planned_sessions(contract: Contract) -> int:
        return contract.episode.planned_sessions

    @staticmethod
    def resolve_renegotiations(contract: Contract) -> list[Any]:
        return list(contract.episode.renegotiations.all())


class ContractIn(StrictInput):
    sessions: int | None = None
    session_minutes: int | None = None
    frequency: str = ""
    start_date: dt.date
    end_date: dt.date
    focus: str
    modalities: list[ModalitySchema] = []


class SignatureIn(StrictInput):
    therapist_signature: str = ""
    client_signature: str = ""


class RenegotiationIn(StrictInput):
    new_sessions: int
    reason: str
    agreed_on: dt.date | None = None


class RenegotiationResultOut(RenegotiationOut):
    planned_sessions: int


# ---------------------------------------------------------------------------------------------------- helpers


def _to_form(data: dict[str, Any]) -> dict[str, Any]:
    return {API_TO_FORM_FIELDS.get(key, key): value for key, value in data.items()}


def _errors(errors: dict[str, list[str]]) -> FormInvalid:
    return FormInvalid({FORM_TO_API_FIELDS.get(name, name): list(messages) for name, messages in errors.items()})


def _validate(form: BaseForm) -> dict[str, Any]:
    if not form.is_valid():
        raise _errors({name: list(messages) for name, messages in form.errors.items()})
    return form.cleaned_data


def _refused(error: ValidationError) -> FormInvalid:
    if hasattr(error, "error_dict"):
        return _errors(error.message_dict)
    return _errors({NON_FIELD_ERRORS: list(error.messages)})


def _record_read(request: HttpRequest, episode: Episode, kind: str) -> None:
    record_event(EventType.EPISODE_VIEWED, actor=request.user, client=episode.client, obj=episode, extra={"kind": kind})


def _stage_history() -> Prefetch:
    return Prefetch("stage_changes", queryset=DisputeStageChange.objects.order_by("changed_on", "id"))


def _areas(episode: Episode) -> list[ProblemArea]:
    return list(
        ProblemArea.objects.filter(formulation__episode=episode).prefetch_related(
            "goals", "inventory_entries", "timeline_events", "triggers", _stage_history()
        )
    )


def _area(area_id: int) -> ProblemArea:
    return ProblemArea.objects.prefetch_related(
        "goals", "inventory_entries", "timeline_events", "triggers", _stage_history()
    ).get(pk=area_id)


def _formulation_out(episode: Episode) -> dict[str, Any]:
    formulation = Formulation.objects.filter(episode=episode).first()
    return {
        "id": formulation.pk if formulation else None,
        "text": formulation.text if formulation else "",
        "sick_role_given_on": formulation.sick_role_given_on if formulation else None,
        "accepted_on": formulation.accepted_on if formulation else None,
        "declined_reason": formulation.declined_reason if formulation else "",
        "is_accepted": bool(formulation and formulation.is_accepted),
        "updated_at": formulation.updated_at if formulation else None,
        "problem_areas": _areas(episode),
    }


def _contract(episode: Episode) -> Contract:
    contract = (
        Contract.objects.filter(episode=episode)
        .prefetch_related(Prefetch("modalities", queryset=Modality.objects.order_by("kind", "id")))
        .first()
    )
    if contract is None:
        raise Http404("No contract yet.")
    # The episode as read under access, so its planned sessions and renegotiations come without a new lookup.
    contract.episode = Episode.objects.prefetch_related("renegotiations").get(pk=episode.pk)
    return contract


# ---------------------------------------------------------------------------------------------------- formulation


@router.get(EPISODE + "formulation", response=FormulationOut, summary="The formulation with problem areas and goals")
def read_formulation(request: HttpRequest, client_id: int, episode_id: int) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    _record_read(request, episode, "formulation")
    return _formulation_out(episode)


@router.put(EPISODE + "formulation", response=FormulationOut, summary="Write the formulation (all its fields)")
def save_formulation(request: HttpRequest, client_id: int, episode_id: int, payload: FormulationIn) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    cleaned = _validate(FormulationForm(data=payload.dict(), episode=episode))
    try:
        do_save_formulation(episode, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _formulation_out(episode)


@router.post(EPISODE + "formulation/areas", response={201: ProblemAreaOut}, summary="Add a problem area (at most 2)")
def add_problem_area(request: HttpRequest, client_id: int, episode_id: int, payload: ProblemAreaIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    cleaned = _validate(ProblemAreaForm(data=_to_form(payload.dict()), episode=episode, mode="api"))
    try:
        area = do_add_problem_area(episode, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _area(area.pk))


@router.patch(
    EPISODE + "formulation/areas/{area_id}",
    response=ProblemAreaOut,
    summary="Change a problem area, such as its dispute stage; send only the fields to change",
)
def update_problem_area(
    request: HttpRequest, client_id: int, episode_id: int, area_id: int, payload: ProblemAreaUpdateIn
) -> ProblemArea:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    sent = _to_form(payload.dict(exclude_unset=True))
    data = problem_area_form_values(area) | sent
    if data["kind"] != area.kind:
        # The old kind's fields go with it unless sent again (then the form refuses them for the new kind).
        for name in fields_not_for(data["kind"]):
            if name not in sent:
                data[name] = None if name in (*PROBLEM_AREA_PEOPLE, "death_date") else ""
    form = ProblemAreaForm(data=data, instance=_area(area.pk), episode=area.formulation.episode, mode="api")
    cleaned = _validate(form)
    try:
        do_update_problem_area(area, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _area(area.pk)


@router.delete(
    EPISODE + "formulation/areas/{area_id}",
    response={204: None},
    summary="Delete a problem area with its goals; refused once the contract is signed by both",
)
def delete_problem_area(request: HttpRequest, client_id: int, episode_id: int, area_id: int) -> Status:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    try:
        do_delete_problem_area(area, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(204, None)


@router.post(
    EPISODE + "formulation/areas/{area_id}/stage-changes",
    response={201: ProblemAreaOut},
    summary="Move a role dispute to another stage as of a date; answers the area with its stage history",
)
def change_dispute_stage(
    request: HttpRequest, client_id: int, episode_id: int, area_id: int, payload: DisputeStageChangeIn
) -> Status:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    data = payload.dict()
    data["changed_on"] = data["changed_on"] or timezone.localdate()
    cleaned = _validate(DisputeStageForm(data=data, area=area, episode=area.formulation.episode))
    try:
        do_change_dispute_stage(
            area,
            stage=cleaned["stage"],
            changed_on=cleaned["changed_on"],
            note=cleaned.get("note") or "",
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _area(area.pk))


# ---------------------------------------------------------------------------------------------------- goals


@router.post(EPISODE + "formulation/areas/{area_id}/goals", response={201: GoalOut}, summary="Add a goal")
def add_goal(request: HttpRequest, client_id: int, episode_id: int, area_id: int, payload: GoalIn) -> Status:
    area = access_problem_area_by_id(request.user, client_id, episode_id, area_id, write=True)
    cleaned = _validate(GoalForm(data=payload.dict(), problem_area=area))
    try:
        goal = do_add_goal(area, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, goal)


@router.patch(EPISODE + "goals/{goal_id}", response=GoalOut, summary="Change a goal, such as its status")
def update_goal(request: HttpRequest, client_id: int, episode_id: int, goal_id: int, payload: GoalUpdateIn) -> Goal:
    goal = access_goal_by_id(request.user, client_id, episode_id, goal_id, write=True)
    data = goal_form_values(goal) | payload.dict(exclude_unset=True)
    cleaned = _validate(GoalForm(data=data, instance=Goal.objects.get(pk=goal.pk), problem_area=goal.problem_area))
    try:
        return do_update_goal(goal, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None


@router.delete(
    EPISODE + "goals/{goal_id}",
    response={204: None},
    summary="Delete a goal; refused once the contract is signed by both",
)
def delete_goal(request: HttpRequest, client_id: int, episode_id: int, goal_id: int) -> Status:
    goal = access_goal_by_id(request.user, client_id, episode_id, goal_id, write=True)
    try:
        do_delete_goal(goal, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(204, None)


# ---------------------------------------------------------------------------------------------------- contract


@router.get(EPISODE + "contract", response=ContractOut, summary="The treatment contract (404 until written)")
def read_contract(request: HttpRequest, client_id: int, episode_id: int) -> Contract:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    contract = _contract(episode)
    _record_read(request, episode, "contract")
    return contract


@router.put(
    EPISODE + "contract",
    response=ContractOut,
    summary="Write the contract (all its fields); refused once both have signed",
)
def save_contract(request: HttpRequest, client_id: int, episode_id: int, payload: ContractIn) -> Contract:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = payload.dict(exclude={"modalities"})
    data["sessions"] = data["sessions"] or episode.planned_sessions
    data["session_minutes"] = data["session_minutes"] or episode.session_minutes
    data["frequency"] = data["frequency"] or default_frequency(episode)
    cleaned = _validate(ContractForm(data=data, episode=episode))
    formset = modality_formset(modality_formset_data([m.dict() for m in payload.modalities]))
    if not formset.is_valid():
        problems = [str(e) for form in formset.forms for errors in form.errors.values() for e in errors]
        raise _errors({"modalities": problems + [str(e) for e in formset.non_form_errors()]})
    try:
        do_save_contract(episode, cleaned, modalities=formset.modalities(), acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _contract(episode)


@router.post(
    EPISODE + "contract/sign",
    response=ContractOut,
    summary="Sign the contract: the therapist, the client or both type their full names",
)
def sign_contract(request: HttpRequest, client_id: int, episode_id: int, payload: SignatureIn) -> Contract:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    contract = _contract(episode)
    cleaned = _validate(ContractSignForm(data=payload.dict(), contract=contract))
    try:
        do_sign_contract(
            contract,
            therapist_signature=cleaned.get("therapist_signature", ""),
            client_signature=cleaned.get("client_signature", ""),
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return _contract(episode)


@router.post(
    EPISODE + "renegotiate",
    response={201: RenegotiationResultOut},
    summary="Change the number of sessions, with the reason agreed with the client",
)
def renegotiate(request: HttpRequest, client_id: int, episode_id: int, payload: RenegotiationIn) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = payload.dict()
    data["agreed_on"] = data["agreed_on"] or timezone.localdate()
    cleaned = _validate(RenegotiationForm(data=data, episode=episode))
    try:
        renegotiation = do_renegotiate_sessions(
            episode,
            new_sessions=cleaned["new_sessions"],
            reason=cleaned["reason"],
            agreed_on=cleaned["agreed_on"],
            acting_user=request.user,
        )
    except ValidationError as error:
        raise _refused(error) from None
    renegotiation.planned_sessions = episode.planned_sessions  # type: ignore[attr-defined]
    return Status(201, renegotiation)

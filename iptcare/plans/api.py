"""/api/v1/plans/: the relapse-prevention plan and the safety plan of an episode (versions, drafts, finalising,
suggestions) and its closure.

The same access functions and actions as the pages, so the rules and the audit trail are the same: readers are the
care team and supervisors, writers the care team, anyone else gets 404. A final version is never changed: any
attempt answers 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.models import Episode
from iptcare.lib.api_errors import FormInvalid
from iptcare.plans.actions import (
    PlanIsFinal,
    do_finalise_plan,
    do_replace_plan_content,
    do_start_plan_version,
    record_plan_read,
)
from iptcare.plans.actions_closure import do_record_closure, goals_of, has_final_relapse_plan
from iptcare.plans.models import EpisodeClosure, VersionedPlan
from iptcare.plans.outcomes import outcomes_for
from iptcare.plans.schemas import (
    KIND_OF_PARAM,
    ClosureIn,
    ClosureOut,
    ContentIn,
    PlanKindParam,
    PlanOverviewOut,
    PlanVersionOut,
    PlanVersionSummaryOut,
    SuggestionsOut,
)
from iptcare.plans.selectors import plan_state, risk_signals
from iptcare.plans.suggestions import read_record, suggestions_for

router = Router(tags=["plans"])

EPISODE = "clients/{client_id}/episodes/{episode_id}/"


def _refused(error: ValidationError) -> Exception:
    if isinstance(error, PlanIsFinal):
        return HttpError(409, " ".join(error.messages))
    return FormInvalid.from_validation_error(error)


def _version(kind: str, episode: Episode, version: int) -> VersionedPlan:
    plan = plan_state(kind, episode).get(version)
    if plan is None:
        raise Http404("No such version.")
    return plan


def _fresh(plan: VersionedPlan, episode: Episode) -> VersionedPlan:
    """The version as stored now, with its summary, for the response."""
    found = plan_state(plan.kind, episode).get(plan.version)
    assert found is not None  # noqa: S101 - the version was just written in this request
    return found


# ---------------------------------------------------------------------------------------------------- closure
# Registered before the plan routes: "closure" would otherwise be read as a plan kind.


def _closure_out(episode: Episode) -> dict[str, Any]:
    outcomes = outcomes_for(episode)
    return {
        "episode_id": episode.pk,
        "episode_status": Episode.objects.values_list("status", flat=True).get(pk=episode.pk),
        "has_final_relapse_plan": has_final_relapse_plan(episode),
        "safety_plan_expected": bool(risk_signals(episode.client)),
        "non_responder": outcomes.non_responder,
        "outcomes_now": outcomes.as_json(),
        "goals": [
            {"id": g.pk, "description": g.description, "problem_area": g.problem_area.kind, "status": g.status}
            for g in goals_of(episode)
        ],
        "closure": EpisodeClosure.objects.filter(episode=episode).first(),
    }


@router.get(EPISODE + "closure", response=ClosureOut, summary="The closure: goals, measures now, and what was recorded")
def read_closure(request: HttpRequest, client_id: int, episode_id: int) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_plan_read("closure", episode, acting_user=request.user)
    return _closure_out(episode)


@router.put(
    EPISODE + "closure",
    response=ClosureOut,
    summary="Record the closure; completed, maintenance and refer end the episode, new_contract keeps it open",
)
def record_closure(request: HttpRequest, client_id: int, episode_id: int, payload: ClosureIn) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    data = payload.dict(exclude={"goal_reviews"})
    statuses = {review.goal_id: review.status for review in payload.goal_reviews}
    try:
        do_record_closure(episode, data, statuses, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _closure_out(episode)


# ---------------------------------------------------------------------------------------------------- plans


@router.get(EPISODE + "{kind}", response=PlanOverviewOut, summary="The plan: its draft and its latest final version")
def read_plan(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(KIND_OF_PARAM[kind], episode)
    record_plan_read(state.kind, episode, acting_user=request.user, plan=state.current, view="api")
    risk = risk_signals(episode.client)
    return {
        "kind": state.kind,
        "total_versions": state.total,
        "draft": state.draft,
        "latest_final": state.latest_final,
        "safety_plan_expected": bool(risk),
        "risk": risk,
    }


@router.get(EPISODE + "{kind}/versions", response=list[PlanVersionSummaryOut], summary="Every version, oldest first")
def list_versions(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam) -> list[Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    state = plan_state(KIND_OF_PARAM[kind], episode)
    record_plan_read(state.kind, episode, acting_user=request.user, view="api:versions")
    return state.versions


@router.post(
    EPISODE + "{kind}/versions",
    response={201: PlanVersionOut},
    summary="Start a draft: a copy of the last version (or of the client's last final plan)",
)
def start_version(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam) -> Status:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    try:
        plan = do_start_plan_version(KIND_OF_PARAM[kind], episode, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _fresh(plan, episode))


@router.get(EPISODE + "{kind}/versions/{version}", response=PlanVersionOut, summary="One version with its content")
def read_version(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam, version: int) -> Any:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    plan = _version(KIND_OF_PARAM[kind], episode, version)
    record_plan_read(plan.kind, episode, acting_user=request.user, plan=plan, view="api")
    return plan


@router.put(
    EPISODE + "{kind}/versions/{version}",
    response=PlanVersionOut,
    summary="Replace the content of the draft; a final version answers 409",
)
def replace_version(
    request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam, version: int, payload: ContentIn
) -> Any:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    plan = _version(KIND_OF_PARAM[kind], episode, version)
    if plan.is_final:
        raise _refused(PlanIsFinal())
    try:
        do_replace_plan_content(plan, payload.content, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _fresh(plan, episode)


@router.post(
    EPISODE + "{kind}/versions/{version}/finalise",
    response=PlanVersionOut,
    summary="Finalise the draft; from then on it never changes",
)
def finalise_version(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam, version: int) -> Any:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    plan = _version(KIND_OF_PARAM[kind], episode, version)
    try:
        do_finalise_plan(plan, acting_user=request.user)
    except ValidationError as error:
        raise _refused(error) from None
    return _fresh(plan, episode)


@router.get(
    EPISODE + "{kind}/suggestions",
    response=SuggestionsOut,
    summary="What the client's record suggests for each section of the draft, not yet in it",
)
def read_suggestions(request: HttpRequest, client_id: int, episode_id: int, kind: PlanKindParam) -> dict[str, Any]:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    draft = plan_state(KIND_OF_PARAM[kind], episode).draft
    if draft is None:
        raise Http404("No draft: start a version first.")
    record_plan_read(draft.kind, episode, acting_user=request.user, plan=draft, view="api:suggestions")
    found = suggestions_for(draft.kind, read_record(episode), draft.parsed())
    sections = {
        key: [
            {
                "key": s.key,
                "label": s.label,
                "group": s.group,
                "detail": s.detail,
                "item": s.item.model_dump(mode="json") if hasattr(s.item, "model_dump") else s.item,
            }
            for s in items
        ]
        for key, items in found.items()
    }
    return {"version": draft.version, "sections": sections}

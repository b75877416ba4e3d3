"""The shapes of plans, suggestions and the closure in the JSON API.

A plan's content is the document of content.py (RelapsePlanContent or SafetyPlanContent, by kind); the API sends
and takes it as an object and checks it against that schema, answering 422 with the problems by section.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput
from iptcare.plans.models import ClosureDecision, RelapsePreventionPlan, SafetyPlan, VersionedPlan


class PlanKindParam(StrEnum):
    """The plan named in the path."""

    RELAPSE_PREVENTION = "relapse-prevention"
    SAFETY = "safety-plan"


KIND_OF_PARAM = {PlanKindParam.RELAPSE_PREVENTION: RelapsePreventionPlan.kind, PlanKindParam.SAFETY: SafetyPlan.kind}


class PlanVersionOut(Schema):
    id: int
    kind: str
    episode_id: int
    version: int
    status: str
    summary: str = Field(description='"Version 2 of 3, finalised 12 Nov 2025 by Alice Ashby".')
    copied_from_version: int | None
    created_by_id: int
    created_at: dt.datetime
    updated_by_id: int
    updated_at: dt.datetime
    finalised_by_id: int | None
    finalised_at: dt.datetime | None
    content: dict[str, Any]

    @staticmethod
    def resolve_copied_from_version(plan: VersionedPlan) -> int | None:
        return plan.copied_from.version if plan.copied_from_id else None


class PlanVersionSummaryOut(Schema):
    id: int
    version: int
    status: str
    summary: str
    created_at: dt.datetime
    finalised_at: dt.datetime | None


class RiskSignalOut(Schema):
    label: str
    when: dt.datetime


class PlanOverviewOut(Schema):
    kind: str
    total_versions: int
    draft: PlanVersionOut | None
    latest_final: PlanVersionOut | None
    safety_plan_expected: bool = Field(description="Risk was recorded for the client (PHQ-9 item 9, C-SSRS).")
    risk: list[RiskSignalOut]


class ContentIn(StrictInput):
    content: dict[str, Any] = Field(description="The whole document of the plan's kind; replaces the draft's.")


class SuggestionOut(Schema):
    key: str
    label: str
    group: str
    detail: str
    item: Any


class SuggestionsOut(Schema):
    version: int
    sections: dict[str, list[SuggestionOut]]


class GoalReviewIn(StrictInput):
    goal_id: int
    status: str = Field(description="met, partly or not_met.")


class ClosureIn(StrictInput):
    decision: ClosureDecision
    goal_reviews: list[GoalReviewIn] = []
    feelings_about_ending: str = ""
    what_helped: str = ""
    referral_to: str = ""
    aftercare: str = ""
    booster_dates: list[dt.date] = Field(default_factory=list, max_length=12)
    no_plan_reason: str = ""
    notes: str = ""


class ClosureRecordOut(Schema):
    id: int
    decision: str
    feelings_about_ending: str
    what_helped: str
    referral_to: str
    aftercare: str
    booster_dates: list[dt.date]
    no_plan_reason: str
    notes: str
    goal_reviews: list[dict[str, Any]]
    outcomes: dict[str, Any] = Field(description="The measures at baseline and then, as seen when recorded.")
    recorded_by_id: int
    recorded_at: dt.datetime
    updated_at: dt.datetime


class GoalOut(Schema):
    id: int
    description: str
    problem_area: str
    status: str


class ClosureOut(Schema):
    episode_id: int
    episode_status: str
    has_final_relapse_plan: bool
    safety_plan_expected: bool
    non_responder: bool | None = Field(
        description=(
            "No reliable PHQ-9 improvement (a drop smaller than the reliable-change threshold); null without a PHQ-9 "
            "at baseline and later."
        )
    )
    outcomes_now: dict[str, Any]
    goals: list[GoalOut]
    closure: ClosureRecordOut | None

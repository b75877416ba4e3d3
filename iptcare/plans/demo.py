"""Closed episodes for the demo clinic (issue 5 part 9): a final relapse-prevention plan built from the suggestions,
the way a therapist would on the pages, and the closure. Called by the demo command; every step goes through the
actions, so the audit trail reads like real use."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from iptcare.plans.actions import (
    do_add_plan_suggestions,
    do_finalise_plan,
    do_save_plan_section,
    do_start_plan_version,
)
from iptcare.plans.actions_closure import do_record_closure, goals_of
from iptcare.plans.content import MAX_ITEMS, RELAPSE_SECTIONS
from iptcare.plans.models import EpisodeClosure, RelapsePreventionPlan
from iptcare.plans.suggestions import suggestions_for_section

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.ipt.models import Episode

# What the client says when the record has no coping step for a trigger or sign.
DEFAULT_COPING = "Stop, leave if I can, and call someone on this plan."
# Reasons for recovery are the client's own words, never suggested from the record: these are what they said.
DEMO_REASONS = ["The people who stood by me", "Waking up clear-headed", "Feeling like myself again"]


def build_final_plan(episode: Episode, *, acting_user: User) -> RelapsePreventionPlan:
    """Every suggestion picked, a coping step wherever one is missing, the client's reasons for recovery, boosters
    agreed, then finalised."""
    plan = do_start_plan_version(RelapsePreventionPlan.kind, episode, acting_user=acting_user)
    for section in RELAPSE_SECTIONS:
        content = plan.parsed()
        offered = suggestions_for_section(plan.kind, episode, section.key, content)
        keys = [s.key for s in offered][: MAX_ITEMS - len(getattr(content, section.key, []))] if offered else []
        if keys:
            plan = do_add_plan_suggestions(plan, section.key, keys, acting_user=acting_user)
    content = plan.parsed()
    for key in ("triggers", "warning_signs"):
        items = [item.model_dump(mode="json") for item in getattr(content, key)]
        for item in items:
            item["coping"] = item["coping"] or DEFAULT_COPING
        plan = do_save_plan_section(plan, key, items, acting_user=acting_user)
    plan = do_save_plan_section(plan, "reasons", DEMO_REASONS, acting_user=acting_user)
    today = timezone.localdate()
    boosters = {
        "frequency": "Monthly for three months",
        "dates": [today + dt.timedelta(weeks=4 * n) for n in (1, 2, 3)],
    }
    plan = do_save_plan_section(plan, "booster_sessions", boosters, acting_user=acting_user)
    return do_finalise_plan(plan, acting_user=acting_user)


def close_episode(episode: Episode, *, acting_user: User, decision: str = "completed") -> EpisodeClosure:
    """A final plan, then the closure with every goal met (the demo's closed episodes went well)."""
    plan = build_final_plan(episode, acting_user=acting_user)
    data = {
        "decision": decision,
        "feelings_about_ending": "Nervous about managing alone, and proud of the work.",
        "what_helped": "Saying what I expect out loud, and having people to call.",
        "aftercare": "Weekly mutual-help meeting; GP review of medication.",
        "booster_dates": plan.parsed().booster_sessions.dates,
        "referral_to": "Community mental health team" if decision == "refer" else "",
    }
    statuses = {goal.pk: "met" for goal in goals_of(episode)}
    return do_record_closure(episode, data, statuses, acting_user=acting_user)

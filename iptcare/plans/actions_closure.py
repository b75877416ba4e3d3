"""Recording the closure of an episode: the review of each goal, the client's view of ending, the decision, and what
follows. One audited transaction (CLOSURE_CHANGED); the goals' new statuses and the episode's new status are
audited as episode changes too, as they would be from the goal and status pages.

Decisions (IPT-DOMAIN §1): "completed" and "refer" end the episode; "maintenance" ends it and a maintenance episode
is opened next; "new contract" keeps it open, and the number of sessions is renegotiated.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.ipt.actions import do_change_episode_status
from iptcare.ipt.models import Episode, EpisodeStatus, Goal, GoalStatus
from iptcare.plans.models import ClosureDecision, EpisodeClosure, PlanStatus, RelapsePreventionPlan
from iptcare.plans.outcomes import outcomes_for

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# The three answers of a progress review per goal (PRODUCT §2.4).
REVIEW_STATUSES = (GoalStatus.MET, GoalStatus.PARTLY, GoalStatus.NOT_MET)
CLOSURE_FIELDS = (
    "decision",
    "feelings_about_ending",
    "what_helped",
    "referral_to",
    "aftercare",
    "booster_dates",
    "no_plan_reason",
    "notes",
)
STATUS_NOTES = {
    ClosureDecision.COMPLETED: "Closure recorded: the course is completed.",
    ClosureDecision.MAINTENANCE: "Closure recorded: maintenance IPT follows.",
    ClosureDecision.REFER: "Closure recorded: referred elsewhere.",
}


def closure_errors(*, decision: str, referral_to: str, no_plan_reason: str, has_final_plan: bool) -> dict[str, str]:
    """The rules that need no more than the form's values and whether a final plan exists."""
    errors: dict[str, str] = {}
    if decision not in ClosureDecision.values:
        errors["decision"] = _("Choose one of the four decisions.")
    if decision == ClosureDecision.REFER and not referral_to.strip():
        errors["referral_to"] = _("Say where the client is referred to, and why.")
    if not has_final_plan and not no_plan_reason.strip():
        errors["no_plan_reason"] = _(
            "Finalise the relapse-prevention plan before closing, or say why the episode closes without one."
        )
    return errors


def has_final_relapse_plan(episode: Episode) -> bool:
    return RelapsePreventionPlan.objects.filter(episode=episode, status=PlanStatus.FINAL).exists()


def goals_of(episode: Episode) -> list[Goal]:
    return list(
        Goal.objects.filter(problem_area__formulation__episode=episode)
        .select_related("problem_area")
        .order_by("problem_area_id", "id")
    )


@transaction.atomic
def do_record_closure(
    episode: Episode, data: dict[str, Any], goal_statuses: dict[int, str], *, acting_user: User
) -> EpisodeClosure:
    """Record (or, while the episode is still open, re-record) the closure. `goal_statuses` maps each goal's id to
    met, partly or not_met."""
    episode = Episode.objects.select_for_update().select_related("client").get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError(_("The episode is already closed; its closure no longer changes."), code="closed")
    goals = goals_of(episode)
    errors: dict[str, Any] = dict(
        closure_errors(
            decision=data.get("decision", ""),
            referral_to=data.get("referral_to", ""),
            no_plan_reason=data.get("no_plan_reason", ""),
            has_final_plan=has_final_relapse_plan(episode),
        )
    )
    errors |= _goal_review_errors(goals, goal_statuses)
    if errors:
        raise ValidationError(errors)
    outcomes = outcomes_for(episode)
    goal_changes = _review_goals(episode, goals, goal_statuses, acting_user)
    closure, changes = _save_closure(episode, data, goals, outcomes.as_json(), acting_user)
    record_event(
        EventType.CLOSURE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=closure,
        changes=changes | goal_changes,
        extra={"episode_id": episode.pk, "non_responder": outcomes.non_responder},
    )
    if closure.ends_episode:
        do_change_episode_status(
            episode, EpisodeStatus.COMPLETED, acting_user=acting_user, note=STATUS_NOTES[closure.decision]
        )
    return closure


def _goal_review_errors(goals: list[Goal], goal_statuses: dict[int, str]) -> dict[str, str]:
    known = {goal.pk for goal in goals}
    if set(goal_statuses) - known:
        return {"goals": _("Review only this episode's goals.")}
    if any(status not in REVIEW_STATUSES for status in goal_statuses.values()):
        return {"goals": _("Each goal is met, partly met or not met.")}
    if known - set(goal_statuses):
        return {"goals": _("Review every goal: met, partly met or not met.")}
    return {}


def _review_goals(
    episode: Episode, goals: list[Goal], goal_statuses: dict[int, str], acting_user: User
) -> dict[str, list[Any]]:
    """Write each goal's reviewed status to the goal itself (the formulation page shows it from there)."""
    changes: dict[str, list[Any]] = {}
    for goal in goals:
        new = goal_statuses[goal.pk]
        if goal.status == new:
            continue
        changes[f"goal {goal.pk}"] = [goal.status, new]
        record_event(
            EventType.EPISODE_CHANGED,
            actor=acting_user,
            client=episode.client,
            obj=goal,
            changes={"status": [goal.status, new]},
            extra={"kind": "goal", "episode_id": episode.pk, "via": "closure"},
        )
        goal.status = new
        goal.save(update_fields=["status"])
    return changes


def _save_closure(
    episode: Episode, data: dict[str, Any], goals: list[Goal], outcomes: dict[str, Any], acting_user: User
) -> tuple[EpisodeClosure, dict[str, list[Any]]]:
    closure = EpisodeClosure.objects.filter(episode=episode).first()
    created = closure is None
    if closure is None:
        closure = EpisodeClosure(episode=episode, recorded_by=acting_user)
    before = {} if created else {name: getattr(closure, name) for name in CLOSURE_FIELDS}
    for name in CLOSURE_FIELDS:
        value = data.get(name, [] if name == "booster_dates" else "")
        if name == "booster_dates":
            value = sorted(d.isoformat() if isinstance(d, dt.date) else str(d) for d in value)
        setattr(closure, name, value.strip() if isinstance(value, str) else value)
    closure.goal_reviews = [
        {
            "goal_id": goal.pk,
            "description": goal.description,
            "problem_area": goal.problem_area.kind,
            "status": goal.status,
        }
        for goal in goals
    ]
    closure.outcomes = outcomes
    closure.recorded_by = acting_user
    closure.updated_at = timezone.now()
    closure.full_clean(exclude=["episode", "recorded_by"])
    closure.save()
    after = {name: getattr(closure, name) for name in CLOSURE_FIELDS}
    return closure, diff_fields(before, after)

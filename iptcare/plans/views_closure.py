"""The closure page: progress against each goal and the measures, the client's view of ending, the decision, and
what follows it (a maintenance episode, or the renegotiation of a new contract)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.models import Episode
from iptcare.plans.actions import record_plan_read
from iptcare.plans.actions_closure import do_record_closure, goals_of
from iptcare.plans.forms import ClosureForm, DatesFormset, dates_of
from iptcare.plans.models import ClosureDecision, EpisodeClosure, RelapsePreventionPlan, SafetyPlan
from iptcare.plans.outcomes import outcomes_for
from iptcare.plans.selectors import plan_state, risk_signals

CLOSURE_FIELDS = ("decision", "referral_to", "feelings_about_ending", "what_helped", "aftercare", "notes")


def _initial(closure: EpisodeClosure | None) -> dict[str, Any]:
    if closure is None:
        return {}
    return {name: getattr(closure, name) for name in (*CLOSURE_FIELDS, "no_plan_reason")}


def _booster_initial(closure: EpisodeClosure | None, plan_dates: list[dt.date]) -> list[dict[str, Any]]:
    """The closure's own booster dates, else those agreed in the final relapse-prevention plan."""
    dates = closure.booster_dates_parsed() if closure else plan_dates
    return [{"date": d} for d in dates]


def _booster_dates(formset: Any) -> list[dt.date]:
    return [
        form.cleaned_data["date"]
        for form in formset.forms
        if form.cleaned_data.get("date") and not form.cleaned_data.get("DELETE")
    ]


@require_staff
def closure(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=request.method == "POST")
    current = EpisodeClosure.objects.filter(episode=episode).select_related("recorded_by").first()
    relapse = plan_state(RelapsePreventionPlan.kind, episode)
    final_plan = relapse.latest_final
    plan_dates = final_plan.parsed().booster_sessions.dates if final_plan else []
    goals = goals_of(episode)
    posted = request.POST if request.method == "POST" else None
    form = ClosureForm(posted, goals=goals, has_final_plan=final_plan is not None, initial=_initial(current))
    boosters = DatesFormset(posted, initial=_booster_initial(current, plan_dates), prefix="boosters")
    if posted is not None and episode.is_open and all([form.is_valid(), boosters.is_valid()]):
        data = {name: form.cleaned_data.get(name, "") for name in (*CLOSURE_FIELDS, "no_plan_reason")}
        data["booster_dates"] = dates_of(boosters)
        try:
            recorded = do_record_closure(episode, data, form.goal_statuses(), acting_user=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _message_for(recorded))
            return redirect("closure", client_id=episode.client_id, episode_id=episode.pk)
    if posted is None:
        record_plan_read("closure", episode, acting_user=request.user)
    context = {
        "client": episode.client,
        "episode": episode,
        "closure": current,
        "form": form,
        "boosters": boosters,
        "goals": goals,
        "outcomes": outcomes_for(episode),
        "relapse": relapse,
        "safety": plan_state(SafetyPlan.kind, episode),
        "risk": risk_signals(episode.client),
        "can_write": episode.is_open and _can_write(request, episode.client),
        "next_step": _next_step(episode, current),
    }
    return render(request, "plans/closure.html", context)


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


def _message_for(recorded: EpisodeClosure) -> str:
    if recorded.decision == ClosureDecision.NEW_CONTRACT:
        return _("Closure recorded. The episode stays open: renegotiate the number of sessions for the new contract.")
    if recorded.decision == ClosureDecision.MAINTENANCE:
        return _("Closure recorded and the episode completed. Open the maintenance episode next.")
    return _("Closure recorded and the episode completed.")


def _next_step(episode: Episode, current: EpisodeClosure | None) -> str:
    """What the page offers after the decision: "maintenance" (open a maintenance episode), "renegotiate" or ""."""
    if current is None:
        return ""
    if current.decision == ClosureDecision.MAINTENANCE and not episode.is_open:
        return "maintenance"
    if current.decision == ClosureDecision.NEW_CONTRACT and episode.is_open:
        return "renegotiate"
    return ""

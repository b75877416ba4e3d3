"""The episode's timeline of life events and its triggers: list pages, and one small form per change.

Reading needs a record the user may open; changing needs care-team membership. Anything else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iptcare.accounts.access import require_staff
from iptcare.clients.models import Client
from iptcare.ipt.access import access_episode_by_id, access_timeline_event_by_id, access_trigger_by_id
from iptcare.ipt.actions_timeline import (
    do_add_timeline_event,
    do_add_trigger,
    do_set_trigger_active,
    do_update_timeline_event,
    do_update_trigger,
    record_episode_read,
    timeline_events_of,
    triggers_of,
)
from iptcare.ipt.forms_timeline import TimelineEventForm, TriggerForm
from iptcare.ipt.models import Episode, RiskLevel, Trigger, TriggerType
from iptcare.ipt.timeline_chart import substance_label, timeline_svg

# IPT-DOMAIN §8: external triggers are people, places, times; internal ones are feelings, thoughts and HALT.
EXTERNAL_TRIGGER_TYPES = (TriggerType.INTERPERSONAL, TriggerType.ENVIRONMENTAL)
RISK_BADGE_CLASSES = {RiskLevel.HIGH: "badge-alert", RiskLevel.MODERATE: "due-due", RiskLevel.LOW: "badge-inactive"}


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


def _episode_context(episode: Episode, **extra: Any) -> dict[str, Any]:
    return {"client": episode.client, "episode": episode, **extra}


@require_staff
def timeline(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    events = timeline_events_of(episode.client)
    for event in events:
        event.substance_label = substance_label(event.substance)
    record_episode_read(episode, "timeline", acting_user=request.user)
    chart = timeline_svg(
        events,
        title=_("Life events, mood and use: %(name)s") % {"name": episode.client.display_name},
        chart_id="timeline-chart",
    )
    context = _episode_context(episode, events=events, chart=chart, can_write=_can_write(request, episode.client))
    return render(request, "ipt/timeline.html", context)


@require_staff
def timeline_event_new(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = TimelineEventForm(request.POST or None, client=episode.client)
    if request.method == "POST" and form.is_valid():
        event = do_add_timeline_event(episode, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Added “%(title)s” to the timeline.") % {"title": event.title})
        return redirect("timeline", client_id=episode.client_id, episode_id=episode.pk)
    return render(request, "ipt/timeline_event_form.html", _episode_context(episode, form=form, event=None))


@require_staff
def timeline_event_edit(request: HttpRequest, client_id: int, episode_id: int, event_id: int) -> HttpResponse:
    episode, event = access_timeline_event_by_id(request.user, client_id, episode_id, event_id, write=True)
    form = TimelineEventForm(request.POST or None, instance=event, client=episode.client)
    if request.method == "POST" and form.is_valid():
        do_update_timeline_event(event, form.cleaned_data, episode=episode, acting_user=request.user)
        messages.success(request, _("Saved the changes to “%(title)s”.") % {"title": event.title})
        return redirect("timeline", client_id=episode.client_id, episode_id=episode.pk)
    if request.method != "POST":
        record_episode_read(episode, "timeline", acting_user=request.user, obj=event)
    return render(request, "ipt/timeline_event_form.html", _episode_context(episode, form=form, event=event))


def _trigger_groups(triggers: list[Trigger]) -> list[dict[str, Any]]:
    """Current triggers by type, in the order of TriggerType, each type marked external or internal."""
    groups = []
    for trigger_type in TriggerType:
        members = [t for t in triggers if t.is_active and t.trigger_type == trigger_type]
        if members:
            groups.append(
                {
                    "type": trigger_type,
                    "external": trigger_type in EXTERNAL_TRIGGER_TYPES,
                    "triggers": members,
                }
            )
    return groups


@require_staff
def triggers(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    all_triggers = triggers_of(episode.client)
    for trigger in all_triggers:
        trigger.risk_badge = RISK_BADGE_CLASSES.get(trigger.risk_level, "")
    record_episode_read(episode, "trigger", acting_user=request.user)
    context = _episode_context(
        episode,
        groups=_trigger_groups(all_triggers),
        inactive=[t for t in all_triggers if not t.is_active],
        can_write=_can_write(request, episode.client),
    )
    return render(request, "ipt/triggers.html", context)


@require_staff
def trigger_new(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    form = TriggerForm(request.POST or None, client=episode.client)
    if request.method == "POST" and form.is_valid():
        do_add_trigger(episode, form.cleaned_data, acting_user=request.user)
        messages.success(request, _("Added the trigger."))
        return redirect("triggers", client_id=episode.client_id, episode_id=episode.pk)
    return render(request, "ipt/trigger_form.html", _episode_context(episode, form=form, trigger=None))


@require_staff
def trigger_edit(request: HttpRequest, client_id: int, episode_id: int, trigger_id: int) -> HttpResponse:
    episode, trigger = access_trigger_by_id(request.user, client_id, episode_id, trigger_id, write=True)
    form = TriggerForm(request.POST or None, instance=trigger, client=episode.client)
    if request.method == "POST" and form.is_valid():
        do_update_trigger(trigger, form.cleaned_data, episode=episode, acting_user=request.user)
        messages.success(request, _("Saved the changes to the trigger."))
        return redirect("triggers", client_id=episode.client_id, episode_id=episode.pk)
    if request.method != "POST":
        record_episode_read(episode, "trigger", acting_user=request.user, obj=trigger)
    return render(request, "ipt/trigger_form.html", _episode_context(episode, form=form, trigger=trigger))


@require_staff
@require_POST
def trigger_set_active(request: HttpRequest, client_id: int, episode_id: int, trigger_id: int) -> HttpResponse:
    """Retires a trigger (active=0) or brings it back (active=1). Triggers are never deleted."""
    episode, trigger = access_trigger_by_id(request.user, client_id, episode_id, trigger_id, write=True)
    active = request.POST.get("active") == "1"
    do_set_trigger_active(trigger, active, episode=episode, acting_user=request.user)
    if active:
        messages.success(request, _("“%(trigger)s” is a current trigger again.") % {"trigger": trigger.description})
    else:
        messages.success(request, _("“%(trigger)s” is marked inactive.") % {"trigger": trigger.description})
    return redirect("triggers", client_id=episode.client_id, episode_id=episode.pk)

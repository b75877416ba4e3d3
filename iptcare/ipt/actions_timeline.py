"""Timeline events and triggers: finding them for a user, and every change to them.

Both belong to the client, so that the life timeline and the triggers carry over from one episode to the next;
each records the episode it was entered from. Every change runs in one transaction with its audit event
(EPISODE_CHANGED, extra "kind" = "timeline" or "trigger", old and new values in "changes").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType as AuditEventType
from iptcare.ipt.models import Episode, TimelineEvent, Trigger

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client, Person

EVENT_FIELDS = ("date", "date_is_approximate", "event_type", "title", "mood", "use_change", "substance", "note")
TRIGGER_FIELDS = (
    "trigger_type",
    "description",
    "places",
    "feelings",
    "risk_level",
    "coping_response",
    "is_active",
)


# ---------------------------------------------------------------------------------------------------- reads


def timeline_events_of(client: Client) -> list[TimelineEvent]:
    """The client's whole timeline in date order, with its people, in two queries."""
    return list(TimelineEvent.objects.filter(client=client).prefetch_related("people").order_by("date", "id"))


def triggers_of(client: Client) -> list[Trigger]:
    """The client's triggers, current ones first, with their people, in two queries."""
    return list(
        Trigger.objects.filter(client=client).prefetch_related("people").order_by("-is_active", "trigger_type", "id")
    )


def record_episode_read(episode: Episode, kind: str, *, acting_user: User, obj: Any = None) -> None:
    """Reads of the timeline and the triggers are audited too (HIPAA audit controls)."""
    record_event(
        AuditEventType.EPISODE_VIEWED,
        actor=acting_user,
        client=episode.client,
        obj=obj if obj is not None else episode,
        extra={"kind": kind, "episode": episode.pk},
    )


# ---------------------------------------------------------------------------------------------------- writes


def _check_people(client: Client, people: Iterable[Person]) -> list[Person]:
    """The forms offer only the client's own people; this keeps any other caller to the same rule."""
    people = list(people)
    if any(person.client_id != client.pk for person in people):
        raise ValidationError({"people": _("Only people from this client's record can be linked.")})
    return people


def _values(obj: TimelineEvent | Trigger, fields: tuple[str, ...], people: Iterable[Person]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields} | {"people": sorted(person.pk for person in people)}


@transaction.atomic
def do_add_timeline_event(episode: Episode, data: dict[str, Any], *, acting_user: User) -> TimelineEvent:
    client = episode.client
    people = _check_people(client, data.get("people", ()))
    event = TimelineEvent(
        client=client,
        episode=episode,
        recorded_by=acting_user,
        **{name: data[name] for name in EVENT_FIELDS if name in data},
    )
    event.full_clean(exclude=["client", "episode", "recorded_by"])
    event.save()
    event.people.set(people)
    record_event(
        AuditEventType.EPISODE_CHANGED,
        actor=acting_user,
        client=client,
        obj=event,
        changes=diff_fields({}, _values(event, EVENT_FIELDS, people)),
        extra={"kind": "timeline", "episode": episode.pk, "added": True},
    )
    return event


@transaction.atomic
def do_update_timeline_event(
    event: TimelineEvent, data: dict[str, Any], *, episode: Episode, acting_user: User
) -> TimelineEvent:
    """Changes the event in place; the audit event keeps the old and new values of what changed."""
    locked = TimelineEvent.objects.select_for_update().get(pk=event.pk)
    people_before = list(locked.people.all())
    before = _values(locked, EVENT_FIELDS, people_before)
    people = _check_people(event.client, data["people"]) if "people" in data else people_before
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    changes = diff_fields(before, _values(event, EVENT_FIELDS, people))
    if not changes:
        return event
    event.full_clean(exclude=["client", "episode", "recorded_by"])
    scalar_changes = [name for name in changes if name != "people"]
    if scalar_changes:
        event.save(update_fields=scalar_changes)
    if "people" in changes:
        event.people.set(people)
    record_event(
        AuditEventType.EPISODE_CHANGED,
        actor=acting_user,
        client=event.client,
        obj=event,
        changes=changes,
        extra={"kind": "timeline", "episode": episode.pk},
    )
    return event


@transaction.atomic
def do_add_trigger(episode: Episode, data: dict[str, Any], *, acting_user: User) -> Trigger:
    client = episode.client
    people = _check_people(client, data.get("people", ()))
    trigger = Trigger(
        client=client,
        episode=episode,
        recorded_by=acting_user,
        **{name: data[name] for name in TRIGGER_FIELDS if name in data},
    )
    trigger.full_clean(exclude=["client", "episode", "recorded_by"])
    trigger.save()
    trigger.people.set(people)
    record_event(
        AuditEventType.EPISODE_CHANGED,
        actor=acting_user,
        client=client,
        obj=trigger,
        changes=diff_fields({}, _values(trigger, TRIGGER_FIELDS, people)),
        extra={"kind": "trigger", "episode": episode.pk, "added": True},
    )
    return trigger


@transaction.atomic
def do_update_trigger(trigger: Trigger, data: dict[str, Any], *, episode: Episode, acting_user: User) -> Trigger:
    """Changes the trigger in place, including retiring it (is_active=False): triggers are never deleted, so the
    relapse-prevention plan can still show what used to matter."""
    locked = Trigger.objects.select_for_update().get(pk=trigger.pk)
    people_before = list(locked.people.all())
    before = _values(locked, TRIGGER_FIELDS, people_before)
    people = _check_people(trigger.client, data["people"]) if "people" in data else people_before
    for name in TRIGGER_FIELDS:
        if name in data:
            setattr(trigger, name, data[name])
    changes = diff_fields(before, _values(trigger, TRIGGER_FIELDS, people))
    if not changes:
        return trigger
    trigger.full_clean(exclude=["client", "episode", "recorded_by"])
    scalar_changes = [name for name in changes if name != "people"]
    if scalar_changes:
        trigger.save(update_fields=scalar_changes)
    if "people" in changes:
        trigger.people.set(people)
    record_event(
        AuditEventType.EPISODE_CHANGED,
        actor=acting_user,
        client=trigger.client,
        obj=trigger,
        changes=changes,
        extra={"kind": "trigger", "episode": episode.pk},
    )
    return trigger


def do_set_trigger_active(trigger: Trigger, active: bool, *, episode: Episode, acting_user: User) -> Trigger:
    return do_update_trigger(trigger, {"is_active": active}, episode=episode, acting_user=acting_user)

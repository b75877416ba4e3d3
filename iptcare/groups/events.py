"""Auditing who looked at a group: one "IPT group viewed" event per member shown by name, so that "who saw this
client?" finds group pages too, in one INSERT (as iptcare/audit/events.py's record_list_view does for client
lists). A page that shows no member by name still records one event for the group."""

from __future__ import annotations

from typing import Any

from iptcare.audit.context import current_origin
from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.groups.models import TherapyGroup


def record_group_view(actor: Any, group: TherapyGroup, client_ids: list[int] | set[int], **extra: Any) -> None:
    origin = current_origin()
    common = {
        "organization_id": group.organization_id,
        "actor": actor,
        "actor_label": actor.email,
        "event_type": EventType.GROUP_VIEWED,
        "object_type": TherapyGroup._meta.label_lower,
        "object_id": str(group.pk),
        "ip_address": origin.ip_address,
        "user_agent": origin.user_agent,
        "channel": origin.channel,
        "extra": {"group_id": group.pk, **extra},
    }
    events = [AuditEvent(client_id=client_id, **common) for client_id in sorted(client_ids)]
    AuditEvent.objects.bulk_create(events or [AuditEvent(**common)])


def record_groups_listed(actor: Any, group_ids: list[int], **extra: Any) -> None:
    """The group list names groups, never members: one event with the group ids."""
    record_event(EventType.GROUP_VIEWED, actor=actor, extra={"kind": "list", "group_ids": group_ids, **extra})

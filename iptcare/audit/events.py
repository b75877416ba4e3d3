"""record_event(): the one way anything writes to the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models

from iptcare.audit.context import current_origin
from iptcare.audit.models import AuditEvent, EventType
from iptcare.encryption.audit import seal_changes


def record_event(
    event_type: EventType,
    *,
    actor: Any = None,
    organization: Any = None,
    client: Any = None,
    obj: models.Model | None = None,
    reason: str = "",
    changes: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the change it records."""
    origin = current_origin()
    data = dict(extra or {})
    if changes:
        data["changes"] = seal_changes(changes)
    return AuditEvent.objects.create(
        organization_id=_organization_id(organization, client, actor),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        client=client,
        event_type=event_type,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        channel=origin.channel,
        reason=reason,
        extra=data,
    )


def record_list_view(*, actor: Any, clients: list[Any], extra: dict[str, Any]) -> None:
    """A list of clients was shown: one event per listed client, so that "who saw this client?" finds list
    views too. One INSERT whatever the page size; an empty result still records the search."""
    origin = current_origin()
    common = {
        "organization_id": actor.organization_id,
        "actor": actor,
        "actor_label": actor.email,
        "event_type": EventType.CLIENT_LIST_VIEWED,
        "ip_address": origin.ip_address,
        "user_agent": origin.user_agent,
        "channel": origin.channel,
        "extra": extra,
    }
    events = [
        AuditEvent(client_id=client.pk, object_type="clients.client", object_id=str(client.pk), **common)
        for client in clients
    ]
    AuditEvent.objects.bulk_create(events or [AuditEvent(**common)])


def _organization_id(organization: Any, client: Any, actor: Any) -> int | None:
    """The organization the event belongs to: given, else the client's, else the actor's (ids only, no query)."""
    if organization is not None:
        return organization.pk
    if client is not None:
        return client.organization_id
    return getattr(actor, "organization_id", None)


def diff_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as {field: [old, new]} in a JSON-friendly form."""
    return {
        name: [_jsonable(before.get(name)), _jsonable(after.get(name))]
        for name in after
        if before.get(name) != after.get(name)
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)

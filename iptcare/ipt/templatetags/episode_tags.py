"""Template tags for the episode's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("measures/_alerts.html", takes_context=True)
def episode_alerts(context: dict[str, Any]) -> dict[str, Any]:
    """The client's open safety alerts, on every page of the episode: a positive item 9 blocks the episode until a
    C-SSRS and a disposition close it (IPT-DOMAIN §5), so it must not be missed on any of them."""
    client = context["client"]
    open_alerts = list(client.alerts.open().select_related("administration").order_by("-raised_at"))
    return {"open_alerts": open_alerts, "client": client, "can_write": context.get("can_write", False)}

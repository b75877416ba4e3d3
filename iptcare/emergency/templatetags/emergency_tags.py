"""The emergency access banner on every page of a client, and the care team's notice on the client record."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import ngettext

from iptcare.clients.models import Client
from iptcare.emergency.access import active_grant
from iptcare.emergency.selectors import NOTICE_DAYS, recent_for_client

register = template.Library()


@register.inclusion_tag("emergency/_banner.html", takes_context=True)
def emergency_banner(context: dict[str, Any]) -> dict[str, Any]:
    """On any page whose context has a `client`: the signed-in person's open emergency access to it, if any.

    One query per page, and none on pages without a client, so list pages keep their query counts.
    """
    client = context.get("client")
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(client, Client) or client.pk is None or user is None:
        return {}
    if not (user.is_authenticated and getattr(user, "organization_id", None) == client.organization_id):
        return {}
    grant = active_grant(user, client)
    ends_today = grant is not None and timezone.localdate(grant.expires_at) == timezone.localdate()
    return {"grant": grant, "ends_today": ends_today, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("emergency/_notice.html", takes_context=True)
def emergency_notice(context: dict[str, Any], client: Client, care_team: list) -> dict[str, Any]:
    """For members of the client's care team: the emergency accesses of the last 30 days (who, when, why, reviewed).

    `care_team` is the page's list of members, so finding out whether the viewer is on it costs no query.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not any(member.user_id == user.pk for member in care_team):
        return {}
    return {"accesses": recent_for_client(client), "days": NOTICE_DAYS}


@register.filter
def duration_words(minutes: int) -> str:
    """240 → "4 hours", 90 → "90 minutes": how people say how long an access lasts."""
    minutes = int(minutes or 0)
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}

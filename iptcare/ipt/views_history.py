"""The client timeline page: everything in the client's care, newest first, a window of 90 days at a time."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iptcare.accounts.access import require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.ipt.care_timeline import care_timeline, window_ending


@require_staff
def client_history(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    until_day = _date_or_none(request.GET.get("until", ""))
    until, since = window_ending(until_day)
    items = care_timeline(client, until=until, since=since)
    record_event(
        EventType.CLIENT_VIEWED,
        actor=request.user,
        client=client,
        obj=client,
        extra={"kind": "timeline", "since": since.date().isoformat(), "until": until.date().isoformat()},
    )
    context = {
        "client": client,
        "items": items,
        "since": since,
        "until": until,
        "older": (since - dt.timedelta(days=1)).date().isoformat(),
        "is_latest": until_day is None,
    }
    return render(request, "ipt/client_history.html", context)


def _date_or_none(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

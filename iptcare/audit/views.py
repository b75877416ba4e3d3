"""The admin's audit page: who did what to which client, filtered, and downloadable as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from iptcare.accounts.access import require_admin
from iptcare.accounts.models import User
from iptcare.accounts.security import require_recent_password
from iptcare.audit.events import record_event
from iptcare.audit.forms import AuditFilterForm
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.models import DisclosureSettings
from iptcare.encryption.audit import open_changes
from iptcare.lib.paging import paginate, query_without_page

CSV_COLUMNS = [
    "time",
    "event",
    "actor",
    "client",
    "object",
    "channel",
    "ip_address",
    "user_agent",
    "reason",
    "detail",
]


def filtered_events(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    org = request.user.organization
    form = AuditFilterForm(request.GET or None, organization=org)
    events = AuditEvent.objects.filter(organization=org).select_related("actor", "client")
    if form.is_valid():
        data = form.cleaned_data
        if data["client"]:
            events = events.filter(client__identifier__iexact=data["client"].strip())
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["event_type"]:
            events = events.filter(event_type=data["event_type"])
        if data["date_from"]:
            events = events.filter(created_at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            events = events.filter(created_at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
    elif form.is_bound:
        events = events.none()
    return form, events.order_by("-created_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def openable_client_ids(user: User) -> set[int]:
    """Clients whose recorded values the viewer may see. An admin answers "who did what, when" for every
    client, but the clinical content of a change belongs to the care team (minimum necessary)."""
    return set(Client.objects.openable_by(user).values_list("pk", flat=True))


def shown_extra(event: AuditEvent, openable: set[int]) -> dict:
    """The event's detail, with old and new values replaced by field names for records the viewer may not open."""
    extra = dict(event.extra or {})
    if event.client_id and event.client_id not in openable and "changes" in extra:
        extra["changed_fields"] = sorted(extra.pop("changes"))
    elif "changes" in extra:
        extra["changes"] = open_changes(extra["changes"])
    return extra


@require_admin
def audit_list(request: HttpRequest) -> HttpResponse:
    form, events = filtered_events(request)
    record_event(EventType.AUDIT_VIEWED, actor=request.user, extra={"filters": request.GET.dict()})
    context = {
        "form": form,
        "page": paginate(request, events, 50),
        "page_query": query_without_page(request),
        "openable_ids": openable_client_ids(request.user),
    }
    return render(request, "audit/audit_list.html", context)


@require_admin
@require_recent_password
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, events = filtered_events(request)
    record_event(EventType.AUDIT_EXPORTED, actor=request.user, extra={"filters": request.GET.dict()})
    # The file holds client identifiers: it opens with the organization's Part 2 notice, like every disclosure.
    notice = DisclosureSettings.for_organization(request.user.organization_id).notice.text
    rows = _csv_rows(events, openable_client_ids(request.user), notice)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="iptcare-audit-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: QuerySet[AuditEvent], openable: set[int], notice: str) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([notice])
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        row = [
            timezone.localtime(event.created_at).isoformat(),
            event.event_label,
            event.actor_label,
            event.client.identifier if event.client else "",
            f"{event.object_type}:{event.object_id}" if event.object_type else "",
            event.channel,
            event.ip_address or "",
            event.user_agent,
            event.reason,
            json.dumps(shown_extra(event, openable), ensure_ascii=False, sort_keys=True) if event.extra else "",
        ]
        # Names, identifiers, user agents and typed e-mails are outside input: none may run as a formula.
        yield writer.writerow([_csv_safe(value) for value in row])


def _csv_safe(value: object) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value) if value else ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

"""The admin's one-page answer to "who saw this client's record, and what left the building?".

For one client (by identifier): everyone who read or changed the record, with how often and when (from the audit
trail; list views are left out, since a name in a list is not the record), every emergency access, and the
accounting of disclosures. An admin may see this without being on the care team: it shows who and when, not the
clinical content (minimum necessary). Viewing it is audited.
"""

from __future__ import annotations

from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iptcare.accounts.access import require_admin
from iptcare.audit.events import record_event
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.models import Disclosure
from iptcare.emergency.models import EmergencyAccess

# A client appearing in a list is not someone opening their record.
NOT_RECORD_ACCESS = (EventType.CLIENT_LIST_VIEWED,)


@require_admin
def client_access_report(request: HttpRequest) -> HttpResponse:
    identifier = request.GET.get("client", "").strip()
    client = (
        Client.objects.filter(organization_id=request.user.organization_id, identifier__iexact=identifier).first()
        if identifier
        else None
    )
    context: dict = {"identifier": identifier, "client": client}
    if client is not None:
        events = AuditEvent.objects.filter(client=client).exclude(event_type__in=NOT_RECORD_ACCESS)
        context |= {
            "people": events.values("actor_label")
            .annotate(events=Count("id"), first=Min("created_at"), last=Max("created_at"))
            .order_by("-last"),
            "emergencies": EmergencyAccess.objects.filter(client=client).select_related("user", "reviewed_by"),
            "disclosures": Disclosure.objects.filter(client=client).select_related("disclosed_by", "consent"),
        }
    record_event(
        EventType.AUDIT_VIEWED,
        actor=request.user,
        client=client,
        extra={"kind": "client_access_report", "client": identifier[:40]},
    )
    return render(request, "audit/client_report.html", context)

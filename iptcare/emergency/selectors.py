"""Reading emergency accesses: the admins' queue, a person's own, a client's recent ones, the audit-trail link."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from iptcare.emergency.models import EmergencyAccess

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

UNREVIEWED = "unreviewed"
REVIEWED = "reviewed"
QUEUE_STATUSES = ("", UNREVIEWED, REVIEWED)
# The care team's notice on the client record covers this many days.
NOTICE_DAYS = 30


# What lists of emergency accesses show of the people and the client: names and the identifier, nothing more
# (the client's contact details are encrypted and never needed here).
_SHOWN_RELATED = [
    "client__identifier",
    "client__organization",
    *(f"{person}__{field}" for person in ("user", "reviewed_by", "ended_by") for field in ("full_name", "email")),
]


def _with_people(accesses: QuerySet[EmergencyAccess]) -> QuerySet[EmergencyAccess]:
    own_fields = [field.name for field in EmergencyAccess._meta.concrete_fields]
    return accesses.select_related("user", "client", "reviewed_by", "ended_by").only(*own_fields, *_SHOWN_RELATED)


def review_queue(organization_id: int, status: str = "") -> QuerySet[EmergencyAccess]:
    """The organization's emergency accesses: not yet reviewed first, then newest first."""
    accesses = EmergencyAccess.objects.filter(organization_id=organization_id)
    if status == UNREVIEWED:
        accesses = accesses.filter(reviewed_at__isnull=True)
    elif status == REVIEWED:
        accesses = accesses.filter(reviewed_at__isnull=False)
    reviewed_last = Case(When(reviewed_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    return _with_people(accesses).order_by(reviewed_last, "-started_at", "-id")


def own_accesses(user: User) -> QuerySet[EmergencyAccess]:
    """The person's own emergency accesses, newest first."""
    return _with_people(EmergencyAccess.objects.filter(user_id=user.pk, organization_id=user.organization_id)).order_by(
        "-started_at", "-id"
    )


def recent_for_client(client: Client, days: int = NOTICE_DAYS) -> list[EmergencyAccess]:
    since = timezone.now() - dt.timedelta(days=days)
    accesses = EmergencyAccess.objects.filter(client_id=client.pk, started_at__gte=since)
    return list(_with_people(accesses).order_by("-started_at", "-id"))


def audit_trail_url(access: EmergencyAccess) -> str:
    """The admins' audit trail filtered to this person, this client and the days the access covered."""
    start = timezone.localtime(access.started_at).date()
    end = timezone.localtime(access.ends_at).date()
    query = {
        "client": access.client.identifier,
        "actor": access.user_id,
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
    }
    return f"{reverse('audit_list')}?{urlencode(query)}"

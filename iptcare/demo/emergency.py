"""Two synthetic emergency accesses, so that the admins' review queue and the care team's notice are not empty:
one reviewed (the director, a safety concern, ended early) and one waiting for review (the physician on call)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from iptcare.accounts.models import Organization, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess, EmergencyReason, ReviewOutcome

# (staff role, client identifier, days ago, reason, justification, minutes it lasted, reviewed)
ACCESSES = [
    (
        "director",
        "DEMO-0002",
        12,
        EmergencyReason.SAFETY,
        "Family member called the front desk worried about an overdose risk tonight; the care team had left for the "
        "day. Checked the safety plan and support contacts to pass on to the crisis team.",
        35,
        True,
    ),
    (
        "physician",
        "DEMO-0004",
        2,
        EmergencyReason.ON_CALL,
        "On call overnight: client came to the emergency department asking for a medication refill; needed the "
        "current medications and the last PHQ-9 before deciding.",
        240,
        False,
    ),
]


def build_emergency_accesses(org: Organization, staff: dict[str, User]) -> None:
    if EmergencyAccess.objects.filter(organization=org).exists():
        return
    now = timezone.now()
    for role, identifier, days_ago, reason, justification, minutes, reviewed in ACCESSES:
        client = Client.objects.filter(organization=org, identifier=identifier).first()
        if client is None:
            continue
        user = staff[role]
        started = now - dt.timedelta(days=days_ago, hours=3)
        ended_early = minutes < 240
        access = EmergencyAccess.objects.create(
            organization=org,
            client=client,
            user=user,
            reason=reason,
            justification=justification,
            started_at=started,
            expires_at=started + dt.timedelta(minutes=240),
            ended_at=started + dt.timedelta(minutes=minutes) if ended_early else None,
            ended_by=user if ended_early else None,
            reviewed_at=started + dt.timedelta(days=1) if reviewed else None,
            reviewed_by=staff["admin"] if reviewed else None,
            review_outcome=ReviewOutcome.APPROPRIATE if reviewed else "",
        )
        # The trail an admin reviews against: the grant, what was read, and the end or the review.
        events = [
            (EventType.EMERGENCY_ACCESS_GRANTED, user, started, f"{reason.label}: {justification}"),
            (EventType.CLIENT_VIEWED, user, started + dt.timedelta(minutes=1), ""),
        ]
        if ended_early:
            events.append((EventType.EMERGENCY_ACCESS_ENDED, user, access.ended_at, ""))
        if reviewed:
            events.append((EventType.EMERGENCY_ACCESS_REVIEWED, staff["admin"], access.reviewed_at, ""))
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organization=org,
                actor=actor,
                actor_label=actor.email,
                client=client,
                event_type=event_type,
                object_type="emergency.emergencyaccess" if event_type != EventType.CLIENT_VIEWED else "clients.client",
                object_id=str(access.pk if event_type != EventType.CLIENT_VIEWED else client.pk),
                created_at=at,
                channel="web",
                reason=text,
            )
            for event_type, actor, at, text in events
        )

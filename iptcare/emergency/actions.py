"""Opening, ending and reviewing emergency accesses, and the organization's setting.

Each change runs in one transaction and writes its audit event in it. A refusal is audited too, so probing for
records through this door leaves a trace.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import Role, User
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.emergency.access import may_break_glass
from iptcare.emergency.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    EmergencyAccess,
    EmergencyAccessSettings,
    EmergencyReason,
    ReviewOutcome,
)

if TYPE_CHECKING:
    from iptcare.clients.models import Client

logger = logging.getLogger(__name__)

# Why a request was refused, as kept in the audit event.
REFUSED_ROLE = "role"
REFUSED_UNKNOWN_CLIENT = "unknown_client"


def record_refusal(user: User, why: str, *, identifier: str = "", client: Client | None = None) -> None:
    """A refused attempt to break the glass. The typed identifier is kept (cut short) to see what was tried."""
    record_event(
        EventType.EMERGENCY_ACCESS_REFUSED,
        actor=user,
        client=client,
        extra={"why": why, "identifier": identifier.strip()[:40]},
    )


@transaction.atomic
def do_grant_emergency_access(
    user: User, client: Client, *, reason: str, justification: str, base_url: str
) -> EmergencyAccess:
    """Open `client`'s record to `user`, read-only, for the organization's duration; tell the care team and admins."""
    if not may_break_glass(user) or client.organization_id != user.organization_id:
        raise PermissionDenied(_("Your role does not allow emergency access."))
    if reason not in EmergencyReason.values:
        raise ValidationError({"reason": [_("Choose one of the reasons listed.")]})
    duration = EmergencyAccessSettings.for_organization(client.organization_id).duration
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        organization_id=client.organization_id,
        client=client,
        user=user,
        reason=reason,
        justification=justification,
        started_at=now,
        expires_at=now + duration,
    )
    record_event(
        EventType.EMERGENCY_ACCESS_GRANTED,
        actor=user,
        client=client,
        obj=grant,
        reason=f"{EmergencyReason(reason).label}: {justification}",
        extra={
            "reason": reason,
            "expires_at": grant.expires_at.isoformat(),
            "duration_minutes": int(duration.total_seconds() // 60),
        },
    )
    messages = _notifications(grant, base_url)
    transaction.on_commit(lambda: _send(messages))
    return grant


def _notifications(grant: EmergencyAccess, base_url: str) -> list[tuple[str, str, str]]:
    """(subject, body, address) for each care-team member and each admin, the person who used it left out.

    No client data: not the name, not the identifier, not the reason. The link leads to a page that shows the
    details only after signing in, and only to those allowed to see them.
    """
    link = base_url + reverse("emergency_access_detail", kwargs={"grant_id": grant.pk})
    subject = _("iptcare: emergency access was used")
    team = User.objects.filter(care_teams__client_id=grant.client_id, is_active=True)
    admins = list(
        User.objects.filter(organization_id=grant.organization_id, is_active=True, memberships__role=Role.ADMIN)
    )
    admin_ids = {admin.pk for admin in admins}
    recipients = {u.pk: u for u in [*team, *admins] if u.pk != grant.user_id and u.email}
    messages = []
    for user in recipients.values():
        if user.pk in admin_ids:
            text = _(
                "Emergency access was used on a client record in your organization. Sign in to see who opened it "
                "and why, and to review it."
            )
        else:
            text = _("Emergency access was used on a record of your care team. Sign in to see who opened it and why.")
        messages.append((subject, f"{text}\n\n{link}\n", user.email))
    return messages


def _send(messages: list[tuple[str, str, str]]) -> None:
    # One message per person, so nobody sees who else was told. A failure must not undo the access: the audit
    # trail and the review queue hold it whatever happens to the mail.
    for subject, body, address in messages:
        try:
            send_mail(subject, body, None, [address], fail_silently=False)
        except Exception:  # any mail error is logged, never raised to a clinician in an emergency
            logger.warning("An emergency access notice could not be sent.", exc_info=True)


@transaction.atomic
def do_end_emergency_access(grant: EmergencyAccess, *, acting_user: User) -> EmergencyAccess:
    """End the access now. The person who used it may; so may an admin of the organization."""
    grant = EmergencyAccess.objects.select_for_update().select_related("client").get(pk=grant.pk)
    if not grant.is_active:
        raise ValidationError(_("This emergency access has already ended."))
    if grant.user_id != acting_user.pk and not acting_user.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only the person who used it or an admin ends an emergency access."))
    grant.ended_at = timezone.now()
    grant.ended_by = acting_user
    grant.save(update_fields=["ended_at", "ended_by"])
    record_event(
        EventType.EMERGENCY_ACCESS_ENDED,
        actor=acting_user,
        client=grant.client,
        obj=grant,
        extra={"ended_by": "holder" if grant.user_id == acting_user.pk else "admin", "user_id": grant.user_id},
    )
    return grant


@transaction.atomic
def do_review_emergency_access(
    grant: EmergencyAccess, *, outcome: str, note: str, acting_user: User
) -> EmergencyAccess:
    """An admin marks the access reviewed: appropriate, or not (with a note on what follows up)."""
    if not acting_user.has_role(Role.ADMIN) or acting_user.organization_id != grant.organization_id:
        raise PermissionDenied(_("Only an admin of the organization reviews emergency accesses."))
    grant = EmergencyAccess.objects.select_for_update().select_related("client").get(pk=grant.pk)
    note = note.strip()
    if grant.user_id == acting_user.pk:
        raise ValidationError(_("Another admin must review your own emergency access."))
    if grant.is_reviewed:
        raise ValidationError(_("This emergency access has already been reviewed."))
    if grant.is_active:
        raise ValidationError(_("This emergency access is still open. End it now, or review it when it has ended."))
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": [_("Choose whether the access was appropriate.")]})
    if outcome == ReviewOutcome.NOT_APPROPRIATE and not note:
        raise ValidationError({"note": [_("Say what follows up when the access was not appropriate.")]})
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = acting_user
    grant.review_outcome = outcome
    grant.review_note = note
    grant.save(update_fields=["reviewed_at", "reviewed_by", "review_outcome", "review_note"])
    record_event(
        EventType.EMERGENCY_ACCESS_REVIEWED,
        actor=acting_user,
        client=grant.client,
        obj=grant,
        reason=note,
        extra={"outcome": outcome, "user_id": grant.user_id},
    )
    return grant


@transaction.atomic
def do_save_emergency_settings(
    organization_id: int, duration_minutes: int, *, acting_user: User
) -> EmergencyAccessSettings:
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationError(
            {
                "duration_minutes": [
                    _("Choose from %(low)d to %(high)d minutes.")
                    % {"low": MIN_DURATION_MINUTES, "high": MAX_DURATION_MINUTES}
                ]
            }
        )
    settings, created = EmergencyAccessSettings.objects.select_for_update().get_or_create(
        organization_id=organization_id
    )
    old = settings.duration_minutes
    if old != duration_minutes or created:
        settings.duration_minutes = duration_minutes
        settings.updated_by = acting_user
        settings.updated_at = timezone.now()
        settings.save(update_fields=["duration_minutes", "updated_by", "updated_at"])
        record_event(
            EventType.EMERGENCY_ACCESS_SETTINGS_CHANGED,
            actor=acting_user,
            obj=settings,
            changes={"duration_minutes": [old, duration_minutes]},
        )
    return settings

"""Every change to consents and every disclosure goes through these functions.

Each runs in one transaction and writes its audit event in it, so a change and its record stand or fall together.
A refused disclosure writes its audit event and then raises, so the refusal is on record even though nothing left.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.consent.gate import Decision, Recipient, check_disclosure
from iptcare.consent.models import (
    Consent,
    ConsentRecipient,
    ConsentRevocation,
    Disclosure,
    DisclosureSettings,
)
from iptcare.consent.rules import consent_errors, recipient_errors
from iptcare.consent.statements import STATEMENTS_VERSION
from iptcare.consent.summary import consent_summary
from iptcare.lib.notices import NoticeForm

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

CONSENT_FIELDS = (
    "kind",
    "discloser_kind",
    "categories",
    "information_description",
    "recipient_classes",
    "purposes",
    "purpose_other",
    "court_order_reference",
    "effective_from",
    "expiry_kind",
    "expires_on",
    "signer_kind",
    "signer_name",
    "representative_relationship",
    "signed_on",
    "acknowledged_statements",
)
RECIPIENT_FIELDS = ("kind", "name", "organization", "participants", "participants_are_treating_providers")


class DisclosureRefused(Exception):
    """The gate refused a disclosure; `decision` says why."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


def _validate(data: dict[str, Any], recipients: list[dict[str, Any]]) -> None:
    errors = consent_errors(data, recipients)
    for index, recipient in enumerate(recipients):
        for name, messages in recipient_errors(recipient).items():
            errors[f"recipients.{index}.{name}"] = messages
    if errors:
        raise ValidationError({name: [ValidationError(m) for m in messages] for name, messages in errors.items()})


def _create_version(
    client: Client,
    data: dict[str, Any],
    recipients: list[dict[str, Any]],
    *,
    acting_user: User,
    previous: Consent | None,
) -> Consent:
    values = {name: data.get(name) for name in CONSENT_FIELDS}
    values["effective_from"] = values["effective_from"] or values["signed_on"]
    for name in ("purpose_other", "court_order_reference", "representative_relationship"):
        values[name] = (values[name] or "").strip()
    for name in ("categories", "recipient_classes", "purposes", "acknowledged_statements"):
        values[name] = list(dict.fromkeys(values[name] or []))
    values["signer_name"] = " ".join(values["signer_name"].split())
    consent = Consent.objects.create(
        organization_id=client.organization_id,
        client=client,
        series=previous.series if previous else uuid.uuid4(),
        version=previous.version + 1 if previous else 1,
        supersedes=previous,
        statements_version=STATEMENTS_VERSION,
        recorded_by=acting_user,
        recorded_at=timezone.now(),
        **values,
    )
    consent.named_disclosers.set(data.get("named_disclosers") or [])
    ConsentRecipient.objects.bulk_create(
        [
            ConsentRecipient(
                consent=consent,
                kind=r["kind"],
                name=" ".join(r["name"].split()),
                organization=(r.get("organization") or "").strip(),
                participants=list(r.get("participants") or []),
                participants_are_treating_providers=bool(r.get("participants_are_treating_providers")),
            )
            for r in recipients
        ]
    )
    return consent


@transaction.atomic
def do_record_consent(
    client: Client, data: dict[str, Any], recipients: list[dict[str, Any]], *, acting_user: User
) -> Consent:
    _validate(data, recipients)
    consent = _create_version(client, data, recipients, acting_user=acting_user, previous=None)
    record_event(
        EventType.CONSENT_RECORDED,
        actor=acting_user,
        client=client,
        obj=consent,
        extra={"kind": consent.kind, "version": 1, "categories": consent.categories, "purposes": consent.purposes},
    )
    return consent


@transaction.atomic
def do_change_consent(
    consent: Consent, data: dict[str, Any], recipients: list[dict[str, Any]], *, acting_user: User
) -> Consent:
    """A new version of `consent`, signed afresh; the old version is kept and marked superseded."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.superseded_at is not None:
        raise ValidationError(_("This version was already replaced: change the current version."))
    if ConsentRevocation.objects.filter(series=current.series).exists():
        raise ValidationError(_("This consent was revoked: record a new consent instead."))
    _validate(data, recipients)
    new = _create_version(current.client, data, recipients, acting_user=acting_user, previous=current)
    Consent.objects.filter(pk=current.pk).update(superseded_at=new.recorded_at)
    consent.superseded_at = new.recorded_at
    record_event(
        EventType.CONSENT_VERSIONED,
        actor=acting_user,
        client=current.client,
        obj=new,
        extra={"kind": new.kind, "version": new.version, "supersedes": current.pk},
    )
    return new


@transaction.atomic
def do_revoke_consent(consent: Consent, data: dict[str, Any], *, acting_user: User) -> ConsentRevocation:
    """Revoke the consent (every version of it) from now on. Disclosures made before stay valid."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.superseded_at is not None:
        raise ValidationError(_("This version was already replaced: revoke the current version."))
    if ConsentRevocation.objects.filter(series=current.series).exists():
        raise ValidationError(_("This consent is already revoked."))
    revocation = ConsentRevocation.objects.create(
        organization_id=current.organization_id,
        client_id=current.client_id,
        series=current.series,
        consent=current,
        revoked_at=timezone.now(),
        written_on=data["written_on"],
        revoked_by_name=" ".join(data["revoked_by_name"].split()),
        representative_relationship=(data.get("representative_relationship") or "").strip(),
        reason=(data.get("reason") or "").strip(),
        recorded_by=acting_user,
    )
    record_event(
        EventType.CONSENT_REVOKED,
        actor=acting_user,
        client=current.client,
        obj=current,
        reason=revocation.reason,
        extra={"version": current.version, "written_on": revocation.written_on.isoformat()},
    )
    return revocation


def do_record_disclosure(
    client: Client,
    *,
    recipient: Recipient,
    purpose: str,
    categories: list[str],
    document: str,
    channel: str,
    acting_user: User,
    purpose_detail: str = "",
) -> Disclosure:
    """Ask the gate; when it allows, record the disclosure with the notice and the consent summary it carries.

    Raises DisclosureRefused (after auditing the refusal) when no active consent covers it.
    """
    with transaction.atomic():
        decision = check_disclosure(
            client, recipient, purpose, categories, discloser=acting_user, purpose_detail=purpose_detail
        )
        if decision.allowed:
            return _record_disclosure(
                client, decision, recipient, purpose, categories, document, channel, acting_user, purpose_detail
            )
    record_event(
        EventType.DISCLOSURE_REFUSED,
        actor=acting_user,
        client=client,
        extra={
            "code": decision.code,
            "recipient": recipient.label,
            "purpose": purpose,
            "categories": list(categories),
            "document": document,
        },
    )
    raise DisclosureRefused(decision)


def _record_disclosure(
    client: Client,
    decision: Decision,
    recipient: Recipient,
    purpose: str,
    categories: list[str],
    document: str,
    channel: str,
    acting_user: User,
    purpose_detail: str,
) -> Disclosure:
    consent = decision.consent
    if consent is None:
        raise RuntimeError("An allowed decision names the consent it relied on.")
    notice = DisclosureSettings.for_organization(client.organization_id).notice
    disclosure = Disclosure.objects.create(
        organization_id=client.organization_id,
        client=client,
        consent=consent,
        disclosed_by=acting_user,
        disclosed_at=timezone.now(),
        recipient_name=" ".join(recipient.name.split()),
        recipient_organization=recipient.organization.strip(),
        recipient_class=recipient.recipient_class,
        recipient_via=recipient.via.strip(),
        purpose=purpose,
        purpose_detail=purpose_detail.strip(),
        categories=list(dict.fromkeys(categories)),
        document=document[:200],
        channel=channel,
        notice_version=notice.version,
        notice_text=notice.text,
        consent_summary=consent_summary(consent),
    )
    record_event(
        EventType.DISCLOSURE_RECORDED,
        actor=acting_user,
        client=client,
        obj=disclosure,
        extra={
            "consent": consent.pk,
            "recipient": recipient.label,
            "purpose": purpose,
            "categories": disclosure.categories,
            "document": disclosure.document,
            "notice": notice.version,
        },
    )
    return disclosure


def record_disclosure_check(
    client: Client, decision: Decision, *, recipient: Recipient, purpose: str, acting_user: User
) -> None:
    """The gate was asked without disclosing (the check endpoint): audited, since the answer says something about
    the client's consents."""
    record_event(
        EventType.DISCLOSURE_CHECKED,
        actor=acting_user,
        client=client,
        extra={
            "allowed": decision.allowed,
            "code": decision.code,
            "recipient": recipient.label,
            "purpose": purpose,
            "consent": decision.consent.pk if decision.consent else None,
        },
    )


def record_consent_read(
    event_type: EventType, client: Client, *, acting_user: User, obj: Any = None, **extra: Any
) -> None:
    record_event(event_type, actor=acting_user, client=client, obj=obj, extra=extra)


@transaction.atomic
def do_save_disclosure_settings(organization_id: int, notice_form: str, *, acting_user: User) -> DisclosureSettings:
    if notice_form not in NoticeForm.values:
        raise ValidationError({"notice_form": [_("Choose the short or the long form.")]})
    settings, created = DisclosureSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    old = settings.notice_form
    if old != notice_form or created:
        settings.notice_form = notice_form
        settings.updated_by = acting_user
        settings.updated_at = timezone.now()
        settings.save(update_fields=["notice_form", "updated_by", "updated_at"])
        record_event(
            EventType.DISCLOSURE_SETTINGS_CHANGED,
            actor=acting_user,
            obj=settings,
            changes={"notice_form": [old, notice_form]},
        )
    return settings

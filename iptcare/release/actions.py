"""Releasing records to a party outside the program: an export by a care-team member, or an API read with a
recipient token. Both go through the disclosure gate each time and are recorded in the accounting of disclosures
(iptcare/consent/actions.py `do_record_disclosure`); refusals are audited there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.consent.actions import DisclosureRefused, do_record_disclosure
from iptcare.consent.gate import Recipient, check_disclosure
from iptcare.consent.models import DataCategory, Disclosure
from iptcare.release.collect import collect_records
from iptcare.release.models import RecipientToken

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

# FHIR security labels for Part 2 records (IPT-DOMAIN §10): the 42 CFR Part 2 policy, the sensitivity (substance
# use information) and the confidentiality (restricted). Carried on every released document.
SECURITY_LABELS = [
    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "42CFRPart2"},
    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ETH"},
    {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"},
]
MAX_TOKEN_DAYS = 90


@dataclass(frozen=True)
class ReleaseRequest:
    recipient: Recipient
    purpose: str
    categories: list[str]
    purpose_detail: str = ""


@dataclass(frozen=True)
class Release:
    disclosure: Disclosure
    records: dict[str, Any]

    def as_document(self) -> dict[str, Any]:
        """The released document: the notice and the consent summary first, then the records."""
        d = self.disclosure
        return {
            "notice": d.notice_text,
            "notice_version": d.notice_version,
            "consent_summary": d.consent_summary,
            "disclosure": {
                "id": d.pk,
                "disclosed_at": d.disclosed_at.isoformat(),
                "recipient": d.recipient_label,
                "purpose": d.purpose_label,
                "categories": d.categories,
            },
            "meta": {"security": SECURITY_LABELS},
            "client": {"identifier": d.client.identifier},
            "records": self.records,
        }


def _document_name(categories: list[str], how: str) -> str:
    labels = ", ".join(str(DataCategory(c).label) for c in categories)
    return f"{how}: {labels}"[:200]


def do_export_records(client: Client, request: ReleaseRequest, *, acting_user: User, file_format: str) -> Release:
    """Ask the gate, record the disclosure and return the records. Raises DisclosureRefused.

    Not wrapped in a transaction of its own: the refusal's audit event must survive the refusal."""
    disclosure = do_record_disclosure(
        client,
        recipient=request.recipient,
        purpose=request.purpose,
        purpose_detail=request.purpose_detail,
        categories=request.categories,
        document=_document_name(request.categories, f"Records export ({file_format})"),
        channel=Disclosure.Channel.DOWNLOAD if file_format == "json" else Disclosure.Channel.PRINT,
        acting_user=acting_user,
    )
    record_event(
        EventType.RECORDS_EXPORTED,
        actor=acting_user,
        client=client,
        obj=disclosure,
        extra={"format": file_format, "categories": request.categories},
    )
    return Release(disclosure, collect_records(client, request.categories))


def do_create_recipient_token(
    client: Client, request: ReleaseRequest, *, valid_days: int, acting_user: User
) -> tuple[RecipientToken, str]:
    """A token for an outside recipient; refused (DisclosureRefused, audited) when no consent covers it now."""
    if not 1 <= valid_days <= MAX_TOKEN_DAYS:
        raise ValueError(f"A token is valid for 1 to {MAX_TOKEN_DAYS} days.")
    decision = check_disclosure(
        client,
        request.recipient,
        request.purpose,
        request.categories,
        discloser=acting_user,
        purpose_detail=request.purpose_detail,
    )
    if not decision.allowed:
        record_event(
            EventType.DISCLOSURE_REFUSED,
            actor=acting_user,
            client=client,
            extra={"code": decision.code, "recipient": request.recipient.label, "document": "recipient token"},
        )
        raise DisclosureRefused(decision)
    raw = RecipientToken.new_raw_token()
    with transaction.atomic():
        token = RecipientToken.objects.create(
            organization_id=client.organization_id,
            client=client,
            recipient_name=request.recipient.name,
            recipient_organization=request.recipient.organization,
            recipient_class=request.recipient.recipient_class,
            purpose=request.purpose,
            purpose_detail=request.purpose_detail,
            categories=list(request.categories),
            token_digest=RecipientToken.digest(raw),
            token_hint=raw[: len(RecipientToken.PREFIX) + 4],
            created_by=acting_user,
            expires_at=timezone.now() + dt.timedelta(days=valid_days),
        )
        record_event(
            EventType.RECIPIENT_TOKEN_CREATED,
            actor=acting_user,
            client=client,
            obj=token,
            extra={"recipient": request.recipient.label, "categories": list(request.categories), "days": valid_days},
        )
    return token, raw


def do_revoke_recipient_token(token: RecipientToken, *, acting_user: User) -> None:
    with transaction.atomic():
        updated = RecipientToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=acting_user
        )
        if updated:
            record_event(EventType.RECIPIENT_TOKEN_REVOKED, actor=acting_user, client=token.client, obj=token)


def find_active_token(raw: str) -> RecipientToken | None:
    if not raw.startswith(RecipientToken.PREFIX):
        return None
    return (
        RecipientToken.objects.active()
        .select_related("client__organization", "created_by")
        .filter(token_digest=RecipientToken.digest(raw))
        .first()
    )


def release_to_token_holder(token: RecipientToken) -> Release:
    """One API read by the token's recipient: the gate again (the consent may have ended), then the records.

    The disclosure is recorded as made by the staff member who issued the token, since the program discloses."""
    request = ReleaseRequest(
        recipient=Recipient(
            name=token.recipient_name,
            organization=token.recipient_organization,
            recipient_class=token.recipient_class,
        ),
        purpose=token.purpose,
        purpose_detail=token.purpose_detail,
        categories=list(token.categories),
    )
    disclosure = do_record_disclosure(  # outside a transaction: a refusal's audit event must stay
        token.client,
        recipient=request.recipient,
        purpose=request.purpose,
        purpose_detail=request.purpose_detail,
        categories=request.categories,
        document=_document_name(request.categories, f"API read with token {token.token_hint}…"),
        channel=Disclosure.Channel.API,
        acting_user=token.created_by,
    )
    RecipientToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    # Who saw the records: the outside recipient, named as the token names them.
    record_event(
        EventType.RECORDS_EXPORTED,
        client=token.client,
        obj=disclosure,
        actor_label=f"{token.recipient_label} (token {token.token_hint}…)"[:254],
        extra={"format": "api", "categories": request.categories, "token": token.pk},
    )
    return Release(disclosure, collect_records(token.client, request.categories))

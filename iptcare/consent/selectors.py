"""Reading a client's consents with what decides their status, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from iptcare.clients.models import Client, ClientStatus, ClientStatusChange
from iptcare.consent.models import (
    Consent,
    ConsentRevocation,
    ConsentStatus,
    Disclosure,
    ExpiryKind,
    local_date,
)


@dataclass(frozen=True)
class StatusAt:
    """A consent's status at one moment, and since when (a date or a time, for the reason given)."""

    status: str
    since: dt.date | dt.datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status == ConsentStatus.ACTIVE

    @property
    def label(self) -> str:
        return str(ConsentStatus(self.status).label)


class ConsentHistory:
    """Every version of a client's consents, their revocations and the client's discharges (three queries).

    The status of a version at a moment follows from these alone, so the gate and the pages agree, and a question
    about the past ("was this covered last Tuesday?") has the same answer today as it had then.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.versions: list[Consent] = list(consents_of(client).prefetch_related("recipients", "named_disclosers"))
        self.revocations: dict[uuid.UUID, ConsentRevocation] = {
            revocation.series: revocation
            for revocation in ConsentRevocation.objects.filter(client=client).select_related("recorded_by")
        }
        self.discharges: list[dt.date] = sorted(
            ClientStatusChange.objects.filter(client=client, status=ClientStatus.DISCHARGED).values_list(
                "effective_on", flat=True
            )
        )
        by_id = {version.pk: version for version in self.versions}
        for version in self.versions:
            version.client = client
            version.revocation = self.revocations.get(version.series)
            version.successor = next((v for v in self.versions if v.supersedes_id == version.pk), None)
            version.predecessor = by_id.get(version.supersedes_id)

    def revocation_of(self, consent: Consent) -> ConsentRevocation | None:
        return self.revocations.get(consent.series)

    def treatment_ended_on(self, consent: Consent) -> dt.date | None:
        """The first discharge on or after the day the consent took effect: the "end of treatment" event."""
        return next((day for day in self.discharges if day >= consent.effective_from), None)

    def status(self, consent: Consent, at: dt.datetime | None = None) -> StatusAt:
        at = at or timezone.now()
        day = local_date(at)
        if consent.recorded_at > at:
            return StatusAt(ConsentStatus.NOT_YET_EFFECTIVE, consent.recorded_at)
        if consent.superseded_at is not None and consent.superseded_at <= at:
            return StatusAt(ConsentStatus.SUPERSEDED, consent.superseded_at)
        revocation = self.revocation_of(consent)
        if revocation is not None and revocation.revoked_at <= at:
            return StatusAt(ConsentStatus.REVOKED, revocation.revoked_at)
        if consent.expiry_kind == ExpiryKind.DATE and consent.expires_on is not None and day > consent.expires_on:
            return StatusAt(ConsentStatus.EXPIRED, consent.expires_on)
        if consent.expiry_kind == ExpiryKind.END_OF_TREATMENT:
            ended = self.treatment_ended_on(consent)
            if ended is not None and ended <= day:
                return StatusAt(ConsentStatus.EXPIRED, ended)
        if consent.effective_from > day:
            return StatusAt(ConsentStatus.NOT_YET_EFFECTIVE, consent.effective_from)
        return StatusAt(ConsentStatus.ACTIVE, consent.effective_from)

    def rows(self, at: dt.datetime | None = None) -> list[tuple[Consent, StatusAt]]:
        """Each version with its status, newest first."""
        return [(version, self.status(version, at)) for version in self.versions]

    def series(self, consent: Consent) -> list[Consent]:
        """Every version of `consent`'s series, newest first."""
        return [version for version in self.versions if version.series == consent.series]

    def get(self, consent_id: int) -> Consent | None:
        return next((version for version in self.versions if version.pk == consent_id), None)


def consents_of(client: Client) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(client=client)
        .select_related("recorded_by", "organization")
        .order_by("-recorded_at", "-id")
    )


def disclosures_of(client: Client) -> QuerySet[Disclosure]:
    """The accounting of disclosures, newest first, with the consent each relied on."""
    return (
        Disclosure.objects.filter(client=client)
        .select_related("consent", "disclosed_by")
        .order_by("-disclosed_at", "-id")
    )

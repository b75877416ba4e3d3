"""Shared by the consent tests: Fern's consents, built the way staff record them.

Fern (Alice's client) consents to her relapse-prevention plan and attendance going to Dr Rhea Reyes at Valley
Clinic, for treatment, until a date. Her TPO consent names her treating providers as a class. Dates are those of
the frozen clock (NOW) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.consent.actions import do_record_consent
from iptcare.consent.gate import Recipient
from iptcare.consent.models import Consent

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 2)
RHEA = Recipient(name="Dr Rhea Reyes", organization="Valley Clinic")


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def single_values(**overrides: Any) -> dict[str, Any]:
    """A complete single-disclosure consent: every element present."""
    values: dict[str, Any] = {
        "kind": "single",
        "discloser_kind": "program",
        "named_disclosers": [],
        "categories": ["treatment_plan", "attendance"],
        "information_description": "My relapse-prevention plan and my attendance since January 2026",
        "recipient_classes": [],
        "purposes": ["treatment"],
        "purpose_other": "",
        "court_order_reference": "",
        "effective_from": None,
        "expiry_kind": "date",
        "expires_on": dt.date(2026, 9, 1),
        "signer_kind": "client",
        "signer_name": "Fern Fairweather",
        "representative_relationship": "",
        "signed_on": TODAY,
        "acknowledged_statements": [],
    }
    values.update(overrides)
    return values


def rhea_recipients() -> list[dict[str, Any]]:
    return [
        {
            "kind": "person",
            "name": "Dr Rhea Reyes",
            "organization": "Valley Clinic",
            "participants": [],
            "participants_are_treating_providers": False,
        }
    ]


def tpo_values(**overrides: Any) -> dict[str, Any]:
    values = single_values(
        kind="tpo",
        categories=["demographics", "diagnoses", "medications", "treatment_plan", "attendance"],
        information_description="What my other providers and my health plan need to treat me and pay for it",
        recipient_classes=["treating_providers", "health_plans"],
        purposes=["treatment", "payment", "health_care_operations"],
        expiry_kind="none",
        expires_on=None,
        acknowledged_statements=["redisclosure", "refusal_consequences", "not_conditioned"],
    )
    values.update(overrides)
    return values


def record_single(client: Client, user: User, **overrides: Any) -> Consent:
    recipients = overrides.pop("recipients", None)
    return do_record_consent(
        client, single_values(**overrides), rhea_recipients() if recipients is None else recipients, acting_user=user
    )


def record_tpo(client: Client, user: User, **overrides: Any) -> Consent:
    recipients = overrides.pop("recipients", [])
    return do_record_consent(client, tpo_values(**overrides), recipients, acting_user=user)


def later(**delta: Any) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)

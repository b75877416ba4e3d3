"""Shared by the emergency access tests.

Tom is a therapist at North who is not on Fern's care team: the usual person to break the glass. Alice, Cody,
Pia and Dora are Fern's care team; Eve is North's admin and reviews; Carol and Sam are South and see nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import Organization, Role, User
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode
from tests.conftest import make_staff

JUSTIFICATION = "Client phoned the crisis line at night; primary therapist and on-call lead unreachable."


def form_data(identifier: str = "N-0001", **changes: Any) -> dict[str, Any]:
    return {"identifier": identifier, "reason": "crisis", "justification": JUSTIFICATION, **changes}


def break_glass(http: HttpClient, identifier: str = "N-0001", **changes: Any) -> Any:
    """Both steps through the pages: check, then confirm."""
    return http.post("/emergency/", {**form_data(identifier, **changes), "action": "confirm"})


def make_grant(
    user: User,
    client: Client,
    *,
    started: dt.datetime | None = None,
    minutes: int = 240,
    **fields: Any,
) -> EmergencyAccess:
    """An emergency access made directly (no e-mail, no audit): for tests about what follows from one."""
    start = started or timezone.now()
    values = {"reason": "safety", "justification": JUSTIFICATION, **fields}
    return EmergencyAccess.objects.create(
        organization_id=client.organization_id,
        client=client,
        user=user,
        started_at=start,
        expires_at=start + dt.timedelta(minutes=minutes),
        **values,
    )


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)


@pytest.fixture
def sue(north: Organization) -> User:
    """A supervisor who supervises nobody on Fern's team."""
    return make_staff(north, "sue@north.test", "Sue Summers", Role.SUPERVISOR)


@pytest.fixture
def cal(north: Organization) -> User:
    """A counsellor not on Fern's team."""
    return make_staff(north, "cal@north.test", "Cal Cooper", Role.COUNSELLOR)


@pytest.fixture
def phil(north: Organization) -> User:
    """A physician not on Fern's team."""
    return make_staff(north, "phil@north.test", "Phil Price", Role.PHYSICIAN)

"""Shared by the group tests: Alice's "Tuesday group" at North Main, meeting on Tuesdays at 10:00 for 90 minutes from
10 March 2026, with time frozen on Tuesday 31 March 2026 at noon (New York) — so sessions 1 to 4 have taken place.

Fern (Alice's client) and three more of Alice's clients are members; Tom facilitates a group of his own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import Organization, Site, User
from iptcare.clients.models import Client
from iptcare.groups.actions import do_add_member, do_create_group, do_generate_group_sessions
from iptcare.groups.models import GroupMember, GroupSession, TherapyGroup
from tests.conftest import make_client

NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)  # 12:00 in New York
TODAY = dt.date(2026, 3, 31)
FIRST_SESSION = dt.date(2026, 3, 10)  # a Tuesday


def group_data(site: Site, facilitator: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Tuesday group",
        "site": site,
        "facilitator": facilitator,
        "co_facilitator": None,
        "weekday": 1,
        "start_time": dt.time(10, 0),
        "session_minutes": 90,
        "capacity": 8,
        "start_date": FIRST_SESSION,
    }
    data.update(changes)
    return data


def add_members(group: TherapyGroup, clients: list[Client], by: User) -> list[GroupMember]:
    """Members since the start of March, so they are in every session."""
    return [do_add_member(group, c, joined_on=dt.date(2026, 3, 1), acting_user=by) for c in clients]


def alice_clients(north: Organization, site: Site, alice: User, count: int) -> list[Client]:
    return [make_client(north, site, primary=alice) for _ in range(count)]


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def group(north: Organization, north_site: Site, alice: User) -> TherapyGroup:
    return do_create_group(north.pk, group_data(north_site, alice), acting_user=alice)


@pytest.fixture
def members(group: TherapyGroup, fern: Client, north: Organization, north_site: Site, alice: User) -> list[GroupMember]:
    """Fern and three more of Alice's clients."""
    return add_members(group, [fern, *alice_clients(north, north_site, alice, 3)], alice)


@pytest.fixture
def sessions(group: TherapyGroup, alice: User, members: list[GroupMember]) -> list[GroupSession]:
    do_generate_group_sessions(group, acting_user=alice)
    return list(GroupSession.objects.filter(group=group).order_by("scheduled_start"))


@pytest.fixture
def toms_group(north: Organization, north_site: Site, tom: User) -> TherapyGroup:
    return do_create_group(
        north.pk,
        group_data(north_site, tom, name="Thursday group", weekday=3, start_date=dt.date(2026, 4, 2)),
        acting_user=tom,
    )

"""Shared by the episode tests: Fern's individual episode with Alice, and Fern's big sister."""

from __future__ import annotations

import pytest

from iptcare.accounts.models import User
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode


@pytest.fixture
def episode(fern: Client, alice: User) -> Episode:
    return do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)


@pytest.fixture
def sister(fern: Client) -> Person:
    return fern.people.get(name="Big sister")

"""Shared by the security tests: a portal account for Fern, and a small-limit helper for the rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import override_settings

from iptcare.clients.models import Client
from iptcare.portal.models import ClientAccount
from tests.portal.conftest import make_account


@pytest.fixture
def fern_account(fern: Client) -> ClientAccount:
    fern.email = "fern@example.invalid"
    fern.save(update_fields=["email"])
    return make_account(fern, "fern@example.invalid")


@contextmanager
def limits(**scopes: int) -> Iterator[None]:
    """Rate limits of `count` requests per hour for the named scopes, the rest as configured."""
    with override_settings(RATE_LIMITS={**settings.RATE_LIMITS, **{s: (n, 3600) for s, n in scopes.items()}}):
        yield

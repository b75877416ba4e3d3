"""Sensitive actions ask for the password again (and the second-factor code, for people who have one)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.models import ConsentRevocation
from tests.conftest import PASSWORD, confirm_password, sign_in
from tests.consent.conftest import NOW, record_single
from tests.security.conftest import limits

CONFIRM = "/accounts/confirm-password/"


def code_of(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def asks_to_confirm(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"] == f"{CONFIRM}?{urlencode({'next': path})}"


@pytest.fixture
def consent(fern: Client, alice: User):
    with time_machine.travel(NOW, tick=False):
        return record_single(fern, alice)


def test_every_sensitive_page_asks_first(eve: User, alice: User, tom: User, fern: Client, consent) -> None:
    admin = sign_in(eve)
    for path in (
        "/manage/audit/export.csv",
        f"/manage/staff/{tom.pk}/",
        "/manage/staff/invite/",
        "/manage/security/",
    ):
        assert asks_to_confirm(admin.get(path), path), path
    revoke = f"/clients/{fern.pk}/consents/{consent.pk}/revoke/"
    assert asks_to_confirm(sign_in(alice).get(revoke), revoke)
    assert not AuditEvent.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()


def test_a_late_post_changes_nothing_and_comes_back_to_the_page(alice: User, tom: User, eve: User, fern, consent):
    revoke = f"/clients/{fern.pk}/consents/{consent.pk}/revoke/"
    data = {"written_on": "2026-03-02", "revoked_by_name": "Fern Fairweather", "in_writing": "on"}
    response = sign_in(alice).post(revoke, data)
    assert asks_to_confirm(response, revoke)
    assert not ConsentRevocation.objects.exists()

    edit = f"/manage/staff/{tom.pk}/"
    response = sign_in(eve).post(edit, {"full_name": "Tom Tran", "roles": ["therapist", "admin"]})
    assert asks_to_confirm(response, edit)
    assert User.objects.get(pk=tom.pk).roles == {"therapist"}


def test_roles_are_checked_before_the_password(alice: User, dan: User) -> None:
    # A role that may not see the page gets 403 straight away, not an invitation to type a password.
    for user in (alice, dan):
        assert sign_in(user).get("/manage/audit/export.csv").status_code == 403
        assert sign_in(user).get("/manage/security/").status_code == 403


def test_the_password_opens_the_page_for_a_few_minutes(alice: User, fern: Client, consent) -> None:
    revoke = f"/clients/{fern.pk}/consents/{consent.pk}/revoke/"
    http = sign_in(alice)
    page = http.get(f"{CONFIRM}?next={quote(revoke)}")
    assert page.status_code == 200
    assert "code" not in page.context["form"].fields  # no authenticator: the password alone

    wrong = http.post(CONFIRM, {"password": "not it", "next": revoke})
    assert wrong.status_code == 200 and "That is not your password." in wrong.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.REAUTHENTICATION_FAILED, actor=alice).count() == 1

    right = http.post(CONFIRM, {"password": PASSWORD, "next": revoke})
    assert right.status_code == 302 and right["Location"] == revoke
    confirmed = AuditEvent.objects.get(event_type=EventType.REAUTHENTICATED, actor=alice)
    assert confirmed.extra == {"for": revoke}
    assert http.get(revoke).status_code == 200

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        assert asks_to_confirm(http.get(revoke), revoke)


def test_someone_with_an_authenticator_also_gives_a_code(eve: User) -> None:
    http = sign_in(eve)
    target = "/manage/audit/export.csv?client=N-0001"
    assert "code" in http.get(f"{CONFIRM}?next={quote(target)}").context["form"].fields
    password_only = http.post(CONFIRM, {"password": PASSWORD, "code": "000000", "next": target})
    assert password_only.status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.REAUTHENTICATION_FAILED, actor=eve).count() == 1
    # django-otp makes a device wait a little after a wrong code.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
        response = http.post(CONFIRM, {"password": PASSWORD, "code": code_of(eve), "next": target})
        assert response.status_code == 302 and response["Location"] == target
        assert http.get(target).status_code == 200
    # The audit names the page, not the query (which may name a client).
    assert AuditEvent.objects.get(event_type=EventType.REAUTHENTICATED).extra == {"for": "/manage/audit/export.csv"}


def test_it_never_sends_anyone_off_site(alice: User) -> None:
    response = sign_in(alice).post(CONFIRM, {"password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_passwords_are_throttled_and_end_the_session(alice: User) -> None:
    http = sign_in(alice)
    with limits(reauthentication=3):
        for _try in range(3):
            assert http.post(CONFIRM, {"password": "guess"}).status_code == 200
        refused = http.post(CONFIRM, {"password": PASSWORD})
        assert refused.status_code == 429
        assert "Too many tries" in refused.content.decode()
        # Whoever is at this browser does not know the password: signed out, and the right password came too late.
        assert http.get("/clients/").status_code == 302
        assert not AuditEvent.objects.filter(event_type=EventType.REAUTHENTICATED).exists()
        limited = AuditEvent.objects.get(event_type=EventType.RATE_LIMITED)
        assert limited.actor == alice and limited.extra["scope"] == "reauthentication"
        # Signing in again does not reset the count.
        again = sign_in(alice)
        assert again.post(CONFIRM, {"password": PASSWORD}).status_code == 429


def test_the_confirm_page_needs_a_signed_in_person() -> None:
    response = HttpClient().get(CONFIRM)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_test_helper_stands_for_a_confirmed_password(eve: User) -> None:
    assert confirm_password(sign_in(eve)).get("/manage/security/").status_code == 200

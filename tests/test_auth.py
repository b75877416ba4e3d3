"""Signing in: e-mail login, Argon2, password rules, lock-out, idle log-off, second factor, password reset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Role, User
from iptcare.audit.models import AuditEvent, EventType
from tests.conftest import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_signs_in_with_e_mail_and_password_and_audits_it(alice: User) -> None:
    http = HttpClient()
    response = http.post("/accounts/login/", {"username": "ALICE@north.test", "password": PASSWORD})
    assert response.status_code == 302
    assert http.get("/clients/").status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN, actor=alice).count() == 1


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(alice: User) -> None:
    response = HttpClient().post("/accounts/login/", {"username": alice.email, "password": "not the password"})
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    failed = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert failed.actor_label == alice.email
    assert failed.organization_id == alice.organization_id


def test_it_refuses_a_deactivated_account(alice: User) -> None:
    alice.is_active = False
    alice.save()
    http = HttpClient()
    response = http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert http.get("/clients/").status_code == 302


def test_it_hashes_passwords_with_argon2_in_production_settings(alice: User) -> None:
    from iptcare import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        alice.set_password("a long enough passphrase")
        alice.save()
        assert alice.password.startswith("argon2$argon2id$")
        assert User.objects.get(pk=alice.pk).check_password("a long enough passphrase")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pw 1", "at least 12 characters"),
        ("password1234", "too common"),
        ("alice@north.test", "too similar"),
        ("482915736018", "entirely numeric"),
    ],
)
def test_it_enforces_the_password_rules(alice: User, password: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_password(password, alice)
    assert message in " ".join(raised.value.messages)


def test_it_locks_an_account_after_five_failures_and_says_so(alice: User) -> None:
    http = HttpClient()
    for _attempt in range(5):
        http.post("/accounts/login/", {"username": alice.email, "password": "wrong wrong wrong"})
    response = http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert http.get("/clients/").status_code == 302  # still signed out, even with the right password
    assert AuditEvent.objects.filter(event_type=EventType.LOCKED_OUT, actor_label=alice.email).exists()


def test_it_counts_failures_whatever_the_case_of_the_e_mail(alice: User) -> None:
    http = HttpClient()
    for spelling in (
        "alice@north.test",
        "ALICE@north.test",
        "Alice@North.test",
        " alice@north.TEST",
        "aLiCe@north.test",
    ):
        http.post("/accounts/login/", {"username": spelling, "password": "wrong wrong wrong"})
    response = http.post("/accounts/login/", {"username": "ALICE@NORTH.TEST", "password": PASSWORD})
    assert response.status_code == 429
    assert http.get("/clients/").status_code == 302


def test_it_signs_out_after_the_idle_timeout(alice: User, settings) -> None:
    settings.IDLE_TIMEOUT_MINUTES = 15
    http = sign_in(alice)
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        assert http.get("/clients/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert http.get("/clients/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        response = http.get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert http.get("/clients/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.IDLE_LOGOUT, actor=alice).count() == 1
    assert not AuditEvent.objects.filter(event_type=EventType.LOGOUT).exists()


def test_it_makes_an_admin_set_up_a_second_factor_before_anything_else(north) -> None:
    admin = make_staff(north, "newadmin@north.test", "New Admin", Role.ADMIN)
    http = HttpClient()
    http.force_login(admin)
    response = http.get("/manage/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/")
    setup = http.get(response["Location"])
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    wrong = http.post(
        "/accounts/2fa/setup/?next=/manage/staff/",
        {"code": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert wrong.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed

    # django-otp throttles after a wrong code: the next try is accepted only after a short wait.
    with time_machine.travel(dt.timedelta(seconds=5)):
        right = http.post("/accounts/2fa/setup/?next=/manage/staff/", {"code": current_code(device)})
    assert right.status_code == 302
    assert right["Location"] == "/manage/staff/"
    device.refresh_from_db()
    assert device.confirmed
    assert http.get("/manage/staff/").status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.TOTP_ENABLED, actor=admin).exists()


def test_it_asks_for_the_code_after_the_password_when_a_device_is_set_up(alice: User) -> None:
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = HttpClient()
    http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    response = http.get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    api = http.get("/api/v1/clients/")
    assert api.status_code == 401

    bad = http.post("/accounts/2fa/verify/", {"code": "12345"})
    assert "6-digit" in bad.content.decode()
    assert http.get("/clients/").status_code == 302

    ok = http.post("/accounts/2fa/verify/?next=/clients/", {"code": current_code(device)})
    assert ok.status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.TOTP_VERIFIED, actor=alice).count() == 1
    assert http.get("/clients/").status_code == 200


def test_it_lets_a_non_admin_turn_the_second_factor_off_but_not_an_admin(alice: User, eve: User) -> None:
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    sign_in(alice).post("/accounts/2fa/remove/")
    assert not TOTPDevice.objects.filter(user=alice).exists()
    sign_in(eve).post("/accounts/2fa/remove/")
    assert TOTPDevice.objects.filter(user=eve, confirmed=True).exists()


def test_it_keeps_the_second_factor_when_only_the_password_was_given(alice: User) -> None:
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    http = HttpClient()
    http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    response = http.post("/accounts/2fa/remove/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert http.get("/clients/").status_code == 302
    assert not AuditEvent.objects.filter(event_type=EventType.TOTP_DISABLED).exists()


def test_it_resets_a_forgotten_password_by_e_mail(alice: User) -> None:
    http = HttpClient()
    response = http.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_page = http.get(link, follow=True)
    form_url = set_password_page.redirect_chain[-1][0]
    weak = http.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200
    done = http.post(form_url, {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"})
    assert done.status_code == 302
    assert User.objects.get(pk=alice.pk).check_password("a brand new passphrase")


def test_it_says_the_same_for_an_unknown_address_on_password_reset(db) -> None:
    response = HttpClient().post("/accounts/password/reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_logs_out_on_post_and_audits_it(alice: User) -> None:
    http = sign_in(alice)
    response = http.post("/accounts/logout/")
    assert response.status_code == 302
    assert http.get("/clients/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.LOGOUT, actor=alice).exists()


def test_it_creates_shows_once_and_revokes_a_token_on_the_settings_page(alice: User) -> None:
    http = sign_in(alice)
    response = http.post("/accounts/settings/", {"name": "reporting", "expires_in_days": "30"}, follow=True)
    assert response.redirect_chain == [("/accounts/settings/", 302)]
    raw = re.search(r"ipt_[A-Za-z0-9_-]{20,}", response.content.decode()).group(0)
    token = alice.api_tokens.get()
    assert token.token_digest == token.digest(raw)
    assert raw not in http.get("/accounts/settings/").content.decode()
    assert HttpClient().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    http.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert HttpClient().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(event_type=EventType.TOKEN_REVOKED, actor=alice).exists()


def test_it_cannot_revoke_someone_elses_token(alice: User, tom: User) -> None:
    from iptcare.accounts.actions import do_create_token

    token, _raw = do_create_token(tom, name="tom's", acting_user=tom)
    assert sign_in(alice).post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_audits_a_password_set_through_a_reset_link(alice: User) -> None:
    http = HttpClient()
    http.post("/accounts/password/reset/", {"email": alice.email})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = http.get(link, follow=True).redirect_chain[-1][0]
    http.post(form_url, {"new_password1": "another calm passphrase", "new_password2": "another calm passphrase"})
    event = AuditEvent.objects.get(event_type=EventType.PASSWORD_CHANGED)
    assert (event.actor, event.extra) == (alice, {"via": "reset link"})

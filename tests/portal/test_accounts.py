"""Client accounts: invitations by e-mail link and printed code (expiring, single use), passwords, lock-out, idle
log-off, signing out everywhere, and staff turning access off."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.portal.actions import do_create_client_token, do_invite_client
from iptcare.portal.models import ClientAccount, ClientApiToken, PortalInvitation
from tests.conftest import sign_in
from tests.portal.conftest import CLIENT_PASSWORD, portal_sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "river stones and tea"


def invite(client: Client, user: User, method: str) -> str:
    _invitation, raw = do_invite_client(client, method, acting_user=user, base_url="http://testserver")
    return raw


def set_up(http: HttpClient, **fields: str) -> Any:
    data = {
        "login_name": "fern.f",
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
        "language": "en",
    } | fields
    return http.post("/me/start/set-up/", data)


def test_it_invites_by_e_mail_and_the_link_sets_the_password_once(
    fern: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    fern.email = "fern@example.invalid"
    fern.save()
    staff = sign_in(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/clients/{fern.pk}/portal/", {"method": "email"}, follow=True)
    assert "on its way to fern@example.invalid" in response.content.decode()
    message = mail.outbox[0]
    assert message.to == ["fern@example.invalid"]
    for private in ("Fern", "Fairweather", "North", "therapy", "substance", "alcohol", "IPT"):
        assert private not in message.subject + message.body
    link = re.search(r"http://testserver(/me/start/\S+/)", message.body).group(1)
    invitation = PortalInvitation.objects.get()
    assert invitation.digest not in message.body and link.split("/")[-2] not in invitation.digest

    http = HttpClient()
    assert http.get(link)["Location"] == "/me/start/set-up/"
    response = set_up(http)
    assert response["Location"] == "/me/"
    account = ClientAccount.objects.get(client=fern)
    assert account.login_name == "fern.f" and account.check_password(NEW_PASSWORD)
    assert http.get("/me/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.used_at is not None

    again = HttpClient().get(link)
    assert again.status_code == 410
    assert "no longer works" in again.content.decode()
    events = AuditEvent.objects.filter(client=fern)
    assert events.filter(event_type=EventType.PORTAL_INVITED, actor=alice).exists()
    assert events.filter(event_type=EventType.PORTAL_ACCOUNT_SET_UP, actor_label="client:N-0001").exists()


def test_a_printed_code_is_shown_once_stored_as_a_digest_and_works_once(fern: Client, alice: User) -> None:
    staff = sign_in(alice)
    response = staff.post(f"/clients/{fern.pk}/portal/", {"method": "code", "language": "es"}, follow=True)
    html = response.content.decode()
    code = re.search(r'<strong class="code">([A-Z0-9]{5}-[A-Z0-9]{5})</strong>', html).group(1)
    assert 'lang="es"' in html and "Escriba este código" in html
    assert "Fern" not in html.split("<main")[1]
    assert not set(code.replace("-", "")) & set("0O1IL5S2Z8B")
    invitation = PortalInvitation.objects.get()
    assert code.replace("-", "") not in invitation.digest
    # Shown once: the page does not show it again.
    assert code not in staff.get(f"/clients/{fern.pk}/portal/code/", follow=True).content.decode()

    http = HttpClient()
    typed = code.lower().replace("-", " ")
    assert http.post("/me/start/", {"code": typed})["Location"] == "/me/start/set-up/"
    assert set_up(http)["Location"] == "/me/"

    response = HttpClient().post("/me/start/", {"code": code})
    assert response.status_code == 200
    assert "This code does not work" in response.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_INVITATION_REFUSED).count() == 1


@pytest.mark.parametrize("method", ["email", "code"])
def test_invitations_expire_after_72_hours(fern: Client, alice: User, method: str) -> None:
    fern.email = "fern@example.invalid"
    fern.save()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        raw = invite(fern, alice, method)
    with time_machine.travel(start + dt.timedelta(hours=71, minutes=59), tick=False):
        assert PortalInvitation.objects.usable().count() == 1
    with time_machine.travel(start + dt.timedelta(hours=72, minutes=1), tick=False):
        if method == "email":
            assert HttpClient().get(f"/me/start/{raw}/").status_code == 410
        else:
            response = HttpClient().post("/me/start/", {"code": raw})
            assert "This code does not work" in response.content.decode()
    assert not ClientAccount.objects.exists()


def test_an_invitation_opened_in_time_fails_when_it_expires_before_the_password_is_chosen(
    fern: Client, alice: User
) -> None:
    start = timezone.now()
    http = HttpClient()
    with time_machine.travel(start, tick=False):
        raw = invite(fern, alice, "code")
        http.post("/me/start/", {"code": raw})
    with time_machine.travel(start + dt.timedelta(hours=73), tick=False):
        assert set_up(http).status_code == 410
    assert not ClientAccount.objects.exists()


def test_a_new_invitation_withdraws_the_earlier_one(fern: Client, alice: User) -> None:
    first = invite(fern, alice, "code")
    second = invite(fern, alice, "code")
    assert "This code does not work" in HttpClient().post("/me/start/", {"code": first}).content.decode()
    assert HttpClient().post("/me/start/", {"code": second}).status_code == 302


def test_an_invitation_for_an_existing_account_resets_the_password_and_ends_its_sessions(
    fern_account: ClientAccount, alice: User
) -> None:
    old_session = portal_sign_in(fern_account)
    fern_account.locked_until = timezone.now() + dt.timedelta(minutes=10)
    fern_account.save()
    http = HttpClient()
    http.post("/me/start/", {"code": invite(fern_account.client, alice, "code")})
    page = http.get("/me/start/set-up/").content.decode()
    assert "Choose a new password" in page and 'value="fern@example.invalid"' in page
    assert set_up(http, login_name="fern@example.invalid")["Location"] == "/me/"
    fern_account.refresh_from_db()
    assert fern_account.check_password(NEW_PASSWORD) and fern_account.locked_until is None
    assert old_session.get("/me/")["Location"].startswith("/me/login/")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "too short"),
        ("qwertyuiop", "too common"),
    ],
)
def test_passwords_need_ten_characters_and_not_a_common_one(
    fern: Client, alice: User, password: str, problem: str
) -> None:
    http = HttpClient()
    http.post("/me/start/", {"code": invite(fern, alice, "code")})
    response = set_up(
        http,
        new_password=password[:9] if problem == "too short" else password,
        new_password_again=password[:9] if problem == "too short" else password,
    )
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not ClientAccount.objects.exists()


def test_a_passphrase_without_capitals_digits_or_symbols_is_fine(fern: Client, alice: User) -> None:
    http = HttpClient()
    http.post("/me/start/", {"code": invite(fern, alice, "code")})
    assert set_up(http, new_password="apples in autumn", new_password_again="apples in autumn").status_code == 302


def test_a_sign_in_name_is_taken_once(fern: Client, gus: Client, alice: User) -> None:
    http = HttpClient()
    http.post("/me/start/", {"code": invite(fern, alice, "code")})
    response = set_up(http, login_name="GUS")
    assert "This sign-in name is taken" in response.content.decode()


def test_it_hashes_client_passwords_with_argon2_in_production_settings(fern: Client) -> None:
    from iptcare import settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        account = ClientAccount(client=fern, login_name="fern")
        account.set_password(CLIENT_PASSWORD)
        assert account.password.startswith("argon2$argon2id$")
        assert account.check_password(CLIENT_PASSWORD)


def test_it_locks_the_account_after_five_wrong_passwords_for_fifteen_minutes(fern_account: ClientAccount) -> None:
    start = timezone.now()
    http = HttpClient()
    with time_machine.travel(start, tick=False):
        for _attempt in range(4):
            response = http.post("/me/login/", {"login_name": "fern@example.invalid", "password": "wrong guess!"})
            assert "is not right" in response.content.decode()
        locked = http.post("/me/login/", {"login_name": "FERN@example.invalid", "password": "wrong guess!"})
        assert locked.status_code == 429
        right = http.post("/me/login/", {"login_name": "fern@example.invalid", "password": CLIENT_PASSWORD})
        assert right.status_code == 429
        assert "too many tries" in right.content.decode()
        assert 'href="tel:988"' in right.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert portal_sign_in(fern_account).get("/me/").status_code == 200
    events = AuditEvent.objects.filter(client=fern_account.client)
    assert events.filter(event_type=EventType.PORTAL_LOCKED_OUT).count() == 1
    assert events.filter(event_type=EventType.PORTAL_LOGIN_FAILED).count() == 6
    assert events.filter(event_type=EventType.PORTAL_LOGIN).count() == 1


def test_an_unknown_name_and_a_wrong_password_get_the_same_answer(fern_account: ClientAccount) -> None:
    wrong_password = HttpClient().post("/me/login/", {"login_name": "fern@example.invalid", "password": "nope nope"})
    unknown = HttpClient().post("/me/login/", {"login_name": "nobody@example.invalid", "password": "nope nope"})
    assert wrong_password.status_code == unknown.status_code == 200

    def error(response: Any) -> str:
        return re.search(r'<div class="alert alert-error".*?</div>', response.content.decode(), re.S).group(0)

    assert error(wrong_password) == error(unknown)


def test_it_signs_out_after_idle_minutes_and_says_why(fern_account: ClientAccount) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        http = portal_sign_in(fern_account)
        assert http.get("/me/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert http.get("/me/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29, seconds=30), tick=False):
        response = http.get("/me/plan/")
        assert response["Location"] == "/me/login/?next=%2Fme%2Fplan%2F&idle=1"
        assert "signed out because the page was not used" in http.get(response["Location"]).content.decode()
        assert http.get("/me/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_IDLE_LOGOUT, client=fern_account.client).exists()


def test_signing_out_ends_the_session(fern_http: HttpClient, fern_account: ClientAccount) -> None:
    response = fern_http.post("/me/logout/", follow=True)
    assert "You are signed out." in response.content.decode()
    assert fern_http.get("/me/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_LOGOUT, client=fern_account.client).exists()


def test_sign_out_everywhere_ends_every_session_and_token(fern_account: ClientAccount) -> None:
    phone, laptop = portal_sign_in(fern_account), portal_sign_in(fern_account)
    _token, raw = do_create_client_token(fern_account, name="phone app")
    response = phone.post("/me/settings/sign-out-everywhere/", follow=True)
    assert "signed out on every phone and computer" in response.content.decode()
    assert phone.get("/me/").status_code == 302
    assert laptop.get("/me/")["Location"].startswith("/me/login/")
    assert HttpClient().get("/api/v1/me/today", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ClientApiToken.objects.active().count() == 0
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_LOGOUT_EVERYWHERE).count() == 1
    # Signing in again works.
    assert portal_sign_in(fern_account).get("/me/").status_code == 200


def test_changing_the_password_keeps_this_session_and_ends_the_others(fern_account: ClientAccount) -> None:
    phone, laptop = portal_sign_in(fern_account), portal_sign_in(fern_account)
    response = phone.post(
        "/me/settings/password/",
        {"current_password": CLIENT_PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()
    assert phone.get("/me/").status_code == 200
    assert laptop.get("/me/").status_code == 302
    fern_account.refresh_from_db()
    assert fern_account.check_password(NEW_PASSWORD)


def test_changing_the_password_needs_the_current_one(fern_http: HttpClient, fern_account: ClientAccount) -> None:
    response = fern_http.post(
        "/me/settings/password/",
        {"current_password": "not it at all", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert "not your current password" in response.content.decode()


def test_staff_on_the_care_team_turn_access_off_and_the_client_is_signed_out(
    fern_account: ClientAccount, fern_http: HttpClient, alice: User
) -> None:
    response = sign_in(alice).post(f"/clients/{fern_account.client_id}/portal/turn-off/", follow=True)
    assert "Portal access is off" in response.content.decode()
    assert fern_http.get("/me/").status_code == 302
    refused = HttpClient().post("/me/login/", {"login_name": fern_account.login_name, "password": CLIENT_PASSWORD})
    assert refused.status_code == 200 and "is not right" in refused.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_ACCESS_TURNED_OFF, actor=alice).exists()


@pytest.mark.parametrize("persona", ["tom", "bob", "dan", "eve", "carol"])
def test_only_the_care_team_invites_others_get_404(fern: Client, persona: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(persona)
    http = sign_in(user)
    assert http.get(f"/clients/{fern.pk}/portal/").status_code == 404
    assert http.post(f"/clients/{fern.pk}/portal/", {"method": "code"}).status_code == 404
    assert not PortalInvitation.objects.exists()


def test_the_access_page_shows_the_account_and_is_audited(fern_account: ClientAccount, alice: User) -> None:
    response = sign_in(alice).get(f"/clients/{fern_account.client_id}/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "fern@example.invalid" in html and "Active" in html
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_ACCESS_VIEWED, actor=alice).exists()


def test_an_e_mail_invitation_needs_an_address(fern: Client, alice: User) -> None:
    response = sign_in(alice).post(f"/clients/{fern.pk}/portal/", {"method": "email"}, follow=True)
    assert "no e-mail address on record" in response.content.decode()
    assert not PortalInvitation.objects.exists()

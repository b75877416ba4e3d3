"""Sessions get a new key at sign-in, stop working at sign-out, and work only in the browser that signed in."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.accounts.security import BROWSER_SESSION_KEY
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.portal.actions import do_invite_client
from iptcare.portal.models import ClientAccount
from tests.conftest import PASSWORD
from tests.portal.conftest import CLIENT_PASSWORD

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
OTHER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/138.0 Safari/537.36"
COOKIE = settings.SESSION_COOKIE_NAME


def store_has(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def browser(agent: str = FIREFOX) -> HttpClient:
    http = HttpClient(HTTP_USER_AGENT=agent)
    # A session from before signing in (e.g. a language choice), to show that signing in does not keep its key.
    session = http.session
    session["before"] = True
    session.save()
    return http


def with_cookie(key: str, agent: str = FIREFOX) -> HttpClient:
    http = HttpClient(HTTP_USER_AGENT=agent)
    http.cookies[COOKIE] = key
    return http


def staff_login(http: HttpClient, user: User) -> None:
    assert http.post("/accounts/login/", {"username": user.email, "password": PASSWORD}).status_code == 302


def portal_login(http: HttpClient, account: ClientAccount) -> None:
    response = http.post("/me/login/", {"login_name": account.login_name, "password": CLIENT_PASSWORD})
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------------------- rotation


def test_staff_sign_in_gives_a_new_session_key_and_sign_out_ends_it(alice: User) -> None:
    http = browser()
    before = http.cookies[COOKIE].value
    staff_login(http, alice)
    after = http.cookies[COOKIE].value
    assert after != before and not store_has(before)
    assert with_cookie(after).get("/clients/").status_code == 200

    http.post("/accounts/logout/")
    assert not store_has(after)
    # The old cookie, replayed from anywhere (even the same browser), opens nothing.
    replayed = with_cookie(after).get("/clients/")
    assert replayed.status_code == 302 and replayed["Location"].startswith("/accounts/login/")


def test_portal_sign_in_gives_a_new_session_key_and_sign_out_ends_it(fern_account: ClientAccount) -> None:
    http = browser()
    before = http.cookies[COOKIE].value
    portal_login(http, fern_account)
    after = http.cookies[COOKIE].value
    assert after != before and not store_has(before)
    assert with_cookie(after).get("/me/").status_code == 200

    http.post("/me/logout/")
    assert not store_has(after)
    replayed = with_cookie(after).get("/me/")
    assert replayed.status_code == 302 and replayed["Location"].startswith("/me/login/")


# ---------------------------------------------------------------------------------------------------- browser binding


def test_a_staff_session_from_another_browser_is_ended_and_audited(alice: User, fern: Client) -> None:
    http = browser()
    staff_login(http, alice)
    key = http.cookies[COOKIE].value
    stored = import_module(settings.SESSION_ENGINE).SessionStore(key)[BROWSER_SESSION_KEY]
    assert FIREFOX not in stored and "Firefox" not in stored  # a keyed digest, not the browser's name

    stolen = with_cookie(key, OTHER)
    response = stolen.get(f"/clients/{fern.pk}/", follow=True)
    assert response.redirect_chain[0][0] == f"/accounts/login/?next=%2Fclients%2F{fern.pk}%2F"
    assert "used from another browser" in response.content.decode()
    rejected = AuditEvent.objects.get(event_type=EventType.SESSION_REJECTED)
    assert rejected.actor == alice and rejected.user_agent == OTHER
    # No ordinary sign-out is recorded for it, and no client record was opened.
    assert not AuditEvent.objects.filter(event_type=EventType.LOGOUT).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CLIENT_VIEWED).exists()
    # The session is gone for the rightful browser too: both sign in again.
    assert with_cookie(key).get("/clients/").status_code == 302


def test_the_api_answers_401_to_a_session_from_another_browser(alice: User) -> None:
    http = browser()
    staff_login(http, alice)
    response = with_cookie(http.cookies[COOKIE].value, OTHER).get("/api/v1/clients/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Your session ended: it was used from another browser."


def test_the_same_browser_keeps_its_session(alice: User) -> None:
    http = browser()
    staff_login(http, alice)
    for _page in range(3):
        assert http.get("/clients/").status_code == 200
    assert not AuditEvent.objects.filter(event_type=EventType.SESSION_REJECTED).exists()


def test_a_portal_session_from_another_browser_is_ended_and_audited(fern_account: ClientAccount) -> None:
    http = browser()
    portal_login(http, fern_account)
    key = http.cookies[COOKIE].value
    response = with_cookie(key, OTHER).get("/me/")
    assert response.status_code == 302 and response["Location"] == "/me/login/"
    rejected = AuditEvent.objects.get(event_type=EventType.SESSION_REJECTED)
    assert rejected.client == fern_account.client and rejected.actor is None
    assert with_cookie(key).get("/me/").status_code == 302


def test_a_portal_invitation_being_redeemed_is_bound_too(fern: Client, alice: User) -> None:
    fern.email = "fern@example.invalid"
    fern.save(update_fields=["email"])
    _invitation, raw = do_invite_client(fern, "email", acting_user=alice, base_url="http://testserver")
    http = browser()
    assert http.get(f"/me/start/{raw}/")["Location"] == "/me/start/set-up/"
    assert http.get("/me/start/set-up/").status_code == 200
    stolen = with_cookie(http.cookies[COOKIE].value, OTHER)
    assert stolen.get("/me/start/set-up/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.SESSION_REJECTED).count() == 1

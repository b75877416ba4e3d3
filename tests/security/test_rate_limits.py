"""Rate limits on sign-in, links and tokens: 429 past the limit, one audit event per window, nothing private kept."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient
from django.test import override_settings

from iptcare import settings as production
from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.lib import ratelimit
from iptcare.measures.links import do_create_link
from iptcare.portal.models import ClientAccount
from iptcare.therapy.feeds import do_create_calendar_feed
from tests.conftest import PASSWORD, bearer
from tests.portal.conftest import CLIENT_PASSWORD
from tests.security.conftest import limits

ROOT = Path(__file__).resolve().parents[2]


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=EventType.RATE_LIMITED))


def assert_refused(response, *, scope: str) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert [event.extra["scope"] for event in refusals()] == [scope]


# ---------------------------------------------------------------------------------------------------- the counter


@pytest.mark.django_db
def test_the_window_slides_so_an_edge_gives_no_double_burst() -> None:
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with override_settings(RATE_LIMITS={"probe": (4, 60)}):
        with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
            for _request in range(4):
                assert not ratelimit.is_limited("probe", "k")
                ratelimit.hit("probe", "k")
            assert ratelimit.is_limited("probe", "k")
            assert not ratelimit.is_limited("probe", "another key")
        # Just after the window turns, the last window's four still weigh almost fully: one more gets through.
        with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
            assert not ratelimit.is_limited("probe", "k")
            ratelimit.hit("probe", "k")
            assert ratelimit.is_limited("probe", "k")
        # Halfway through the window, half of the last window's count remains (2 + 1 so far): one more, not four.
        with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
            assert not ratelimit.is_limited("probe", "k")
            ratelimit.hit("probe", "k")
            assert ratelimit.is_limited("probe", "k")
        # Two windows on, everything is forgotten.
        with time_machine.travel(start + dt.timedelta(seconds=181), tick=False):
            assert not ratelimit.is_limited("probe", "k")


def test_keys_are_kept_only_as_digests() -> None:
    with override_settings(RATE_LIMITS={"probe": (4, 60)}):
        ratelimit.hit("probe", "fern@example.invalid")
    cache = ratelimit.caches[ratelimit.CACHE_ALIAS]
    assert not [key for key in cache._cache if "fern" in str(key)]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------- links


def test_questionnaire_links_per_address(fern: Client, alice: User) -> None:
    _link, url = do_create_link(fern, "PHQ-9", acting_user=alice, base_url="")
    http = HttpClient(REMOTE_ADDR="198.51.100.7")
    with limits(self_report=3):
        assert http.get("/r/guess-1/").status_code == 410
        assert http.get("/r/guess-2/").status_code == 410
        assert http.get(url).status_code == 200
        refused = http.get(url)
        assert_refused(refused, scope="self_report")
        # Clients get the crisis line with the refusal, and nothing about the link.
        html = refused.content.decode()
        assert 'href="tel:988"' in html and "Too many tries" in html and "PHQ" not in html
        # Refused again and again: one audit event for the window, with the address and without the token.
        for _more in range(3):
            assert http.get(url).status_code == 429
        assert len(refusals()) == 1
        event = refusals()[0]
        assert event.ip_address == "198.51.100.7" and event.client_id is None and event.actor_id is None
        assert url.split("/")[2] not in str(event.extra)
        # Another address is not held back.
        assert HttpClient(REMOTE_ADDR="198.51.100.8").get(url).status_code == 200


def test_portal_invitation_links_and_codes_per_address(fern: Client) -> None:
    http = HttpClient()
    with limits(portal_invitation=3):
        assert http.get("/me/start/not-a-real-invitation/").status_code == 410
        assert http.post("/me/start/", {"code": "ABCDE-FGHJK"}).status_code == 200
        assert http.get("/me/start/").status_code == 200  # showing the code form is not counted
        assert http.get("/me/start/not-a-real-invitation-either/").status_code == 410
        assert_refused(http.post("/me/start/", {"code": "ABCDE-FGHJK"}), scope="portal_invitation")
        assert http.get("/me/start/another/").status_code == 429


def test_reset_and_staff_invitation_links_per_address(alice: User) -> None:
    http = HttpClient()
    with limits(account_link=2):
        assert http.get("/accounts/password/reset/MQ/nope-123/").status_code == 200  # "this link does not work"
        assert http.get("/accounts/invite/MQ/nope-456/").status_code == 200
        assert_refused(http.get("/accounts/invite/MQ/nope-789/"), scope="account_link")
        assert "Too many tries" in http.get("/accounts/password/reset/MQ/x/").content.decode()


def test_calendar_feeds_unknown_addresses_per_address_and_each_address_per_hour(alice: User) -> None:
    _feed, raw = do_create_calendar_feed(alice)
    with limits(calendar_feed=2, calendar_feed_token=3):
        http = HttpClient(REMOTE_ADDR="203.0.113.9")
        for _guess in range(2):
            assert http.get("/sessions/feed/guess.ics").status_code == 404
        refused = http.get(f"/sessions/feed/{raw}.ics")
        assert_refused(refused, scope="calendar_feed")
        assert refused["Content-Type"].startswith("text/plain")

        calendar_app = HttpClient(REMOTE_ADDR="192.0.2.44")
        for _poll in range(3):
            assert calendar_app.get(f"/sessions/feed/{raw}.ics").status_code == 200
        assert calendar_app.get(f"/sessions/feed/{raw}.ics").status_code == 429
        assert raw not in str([event.extra for event in refusals()])


# ---------------------------------------------------------------------------------------------------- sign-in


def test_staff_sign_in_failures_per_address_across_accounts(alice: User, tom: User, cody: User) -> None:
    http = HttpClient()
    with limits(login=2):
        # Two accounts, one wrong password each: axes locks neither, the address is counted for both.
        for user in (alice, tom):
            assert http.post("/accounts/login/", {"username": user.email, "password": "nope"}).status_code == 200
        assert_refused(http.post("/accounts/login/", {"username": cody.email, "password": PASSWORD}), scope="login")
        assert http.get("/accounts/login/").status_code == 200  # the page itself still shows


def test_successful_sign_ins_are_not_counted(alice: User) -> None:
    with limits(login=2):
        for _time in range(4):
            http = HttpClient()
            assert http.post("/accounts/login/", {"username": alice.email, "password": PASSWORD}).status_code == 302


def test_portal_sign_in_failures_per_address_page_and_api(fern_account: ClientAccount) -> None:
    http = HttpClient()
    right = {"login_name": fern_account.login_name, "password": CLIENT_PASSWORD}
    with limits(portal_login=2):
        assert http.post("/me/login/", {**right, "password": "nope"}).status_code == 200
        api = http.post("/api/v1/me/tokens", {**right, "password": "nope", "name": "phone"}, "application/json")
        assert api.status_code == 401
        assert_refused(http.post("/me/login/", right), scope="portal_login")
        refused = http.post("/api/v1/me/tokens", {**right, "name": "phone"}, "application/json")
        assert refused.status_code == 429 and "Too many failed attempts" in refused.json()["detail"]


def test_password_reset_requests_per_address_and_per_e_mail(alice: User) -> None:
    with limits(password_reset=3, password_reset_email=1):
        first = HttpClient(REMOTE_ADDR="192.0.2.1").post("/accounts/password/reset/", {"email": alice.email})
        assert first.status_code == 302 and len(mail.outbox) == 1
        # The same address typed from elsewhere: refused, so nobody's inbox is flooded.
        again = HttpClient(REMOTE_ADDR="192.0.2.2").post("/accounts/password/reset/", {"email": alice.email.upper()})
        assert_refused(again, scope="password_reset_email")
        assert len(mail.outbox) == 1
        # Many addresses from one place.
        http = HttpClient(REMOTE_ADDR="192.0.2.3")
        for n in range(3):
            assert http.post("/accounts/password/reset/", {"email": f"n{n}@north.test"}).status_code == 302
        assert http.post("/accounts/password/reset/", {"email": "n9@north.test"}).status_code == 429


# ---------------------------------------------------------------------------------------------------- API tokens


def test_failed_bearer_tokens_per_address(alice: User, fern: Client) -> None:
    good = bearer(alice)
    http = HttpClient(REMOTE_ADDR="203.0.113.50")
    with limits(api_token=2):
        for wrong in ("ipt_nope", "iptme_nope"):
            assert http.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Bearer {wrong}").status_code == 401
        refused = http.get("/api/v1/clients/", **good)
        assert refused.status_code == 429
        assert refused.json()["detail"].startswith("Too many failed attempts from your address.")
        assert [event.extra["scope"] for event in refusals()] == ["api_token"]
        # The portal's API counts the same way.
        assert http.get("/api/v1/me/today", HTTP_AUTHORIZATION="Bearer iptme_nope").status_code == 429
        # Elsewhere the good token works, and calls without a token are not counted.
        assert HttpClient(REMOTE_ADDR="203.0.113.51").get("/api/v1/clients/", **good).status_code == 200
        assert HttpClient(REMOTE_ADDR="203.0.113.50").get("/api/v1/clients/").status_code == 401


# ---------------------------------------------------------------------------------------------------- configuration


def test_the_defaults_leave_room_for_ordinary_use(fern: Client, alice: User, fern_account: ClientAccount) -> None:
    with override_settings(RATE_LIMITS=production.RATE_LIMITS):
        for scope, (count, seconds) in production.RATE_LIMITS.items():
            assert count >= 5 and seconds >= 60, scope
        # A clinic's kiosk: ten clients answer their questionnaires (each opens, then sends) from one address.
        kiosk = HttpClient()
        for _client in range(10):
            _link, url = do_create_link(fern, "PHQ-2", acting_user=alice, base_url="")
            assert kiosk.get(url).status_code == 200
            assert kiosk.post(url, {"1": "0", "2": "0"}).status_code == 200
        # A client who mistypes their password twice, then gets it right.
        portal = HttpClient()
        right = {"login_name": fern_account.login_name, "password": CLIENT_PASSWORD}
        for _typo in range(2):
            assert portal.post("/me/login/", {**right, "password": "typo"}).status_code == 200
        assert portal.post("/me/login/", right).status_code == 302
    assert refusals() == []


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    probe = "import django; django.setup(); from django.conf import settings as s; print(s.RATE_LIMITS['self_report'])"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RATE_LIMIT_")}
    environment.update(DJANGO_SETTINGS_MODULE="iptcare.settings", IPTCARE_DATA_DIR=str(tmp_path), DEBUG="1", **env)
    return subprocess.run(  # noqa: S603 (a fixed command line of our own)
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment, cwd=ROOT, check=False
    )


def test_each_limit_is_set_from_the_environment(tmp_path: Path) -> None:
    assert run_settings(tmp_path).stdout.strip() == "(60, 900)"
    assert run_settings(tmp_path, RATE_LIMIT_SELF_REPORT="5/2h").stdout.strip() == "(5, 7200)"
    assert run_settings(tmp_path, RATE_LIMIT_SELF_REPORT="100/30s").stdout.strip() == "(100, 30)"
    wrong = run_settings(tmp_path, RATE_LIMIT_SELF_REPORT="lots")
    assert wrong.returncode != 0 and "RATE_LIMIT_SELF_REPORT must look like 30/15m" in wrong.stderr


def test_a_refusal_tells_when_to_come_back() -> None:
    moment = dt.datetime(2026, 3, 2, 10, 7, tzinfo=dt.UTC)
    with override_settings(RATE_LIMITS={"probe": (1, 600)}), time_machine.travel(moment, tick=False):
        assert ratelimit.retry_after("probe") == 180

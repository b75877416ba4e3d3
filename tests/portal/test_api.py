"""/api/v1/me/: client tokens from the portal password, today, check-ins, questionnaires and the plan, scoped to the
token's own client; no score in any answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.ipt.models import Episode
from iptcare.measures.models import Administration, Alert, AlertRule
from iptcare.portal.models import ClientAccount, ClientApiToken
from iptcare.substance_use.actions import DayEntry, do_record_use_days
from iptcare.substance_use.models import CheckIn
from tests.portal.conftest import CLIENT_PASSWORD, final_relapse_plan, signed_note, upcoming_session

pytestmark = pytest.mark.django_db


def token_for(account: ClientAccount, password: str = CLIENT_PASSWORD) -> Any:
    return HttpClient().post(
        "/api/v1/me/tokens",
        {"login_name": account.login_name, "password": password, "name": "my phone"},
        content_type="application/json",
    )


@pytest.fixture
def me(fern_account: ClientAccount) -> dict[str, str]:
    response = token_for(fern_account)
    assert response.status_code == 201
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return getattr(HttpClient(), method)(f"/api/v1/me/{path}", body, content_type="application/json", **headers)


def test_a_token_comes_from_the_portal_password_and_expires_in_30_days(fern_account: ClientAccount) -> None:
    response = token_for(fern_account)
    body = response.json()
    assert body["token"].startswith("iptme_")
    token = ClientApiToken.objects.get()
    assert token.token_digest != body["token"] and token.account == fern_account
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert token_for(fern_account, "wrong password").status_code == 401
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_TOKEN_CREATED).count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert call("get", "today", {"HTTP_AUTHORIZATION": f"Bearer {body['token']}"}).status_code == 401


def test_token_requests_count_towards_the_lock_out(fern_account: ClientAccount) -> None:
    for _attempt in range(4):
        assert token_for(fern_account, "wrong password").status_code == 401
    assert token_for(fern_account, "wrong password").status_code == 429
    assert token_for(fern_account).status_code == 429


def test_today(me: dict[str, str], fern: Client, episode: Episode, phq9_due: None) -> None:
    signed_note(episode, homework="Walk each morning.")
    upcoming_session(episode)
    body = call("get", "today", me).json()
    assert body["crisis_line"]["number"] == "988" and body["crisis_line"]["can_text"] is True
    assert body["questionnaires"] == [{"code": "PHQ-9", "questions": 10, "overdue": False}]
    assert body["checked_in_today"] is False
    assert body["homework"]["text"] == "Walk each morning." and body["homework"]["answered"] is False
    assert body["next_session"]["therapist"] == "Alice Ashby"
    assert body["support_contacts"][0]["number"] == "5550101234"
    assert body["waiting"] == 3
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_VIEWED, extra__page="api:today").exists()


def test_a_check_in_through_the_api_and_a_lapse_gets_the_support_message(me: dict[str, str], fern: Client) -> None:
    today = timezone.localdate()
    do_record_use_days(fern, [DayEntry(today - dt.timedelta(days=n), "no_use") for n in range(1, 8)], acting_user=None)
    response = call("post", "check-ins", me, {"mood": 3, "craving": 8, "used": True, "substances": ["alcohol"]})
    assert response.status_code == 201
    support = response.json()["support"]
    assert support["show"] is True and support["team_will_be_in_touch"] is True
    assert "A lapse is not a failure" in support["message"]
    assert support["crisis_line"]["number"] == "988"
    assert CheckIn.objects.get(client=fern).craving == 8
    assert Alert.objects.get(client=fern).rule == AlertRule.LAPSE


def test_a_check_in_needs_the_use_answer(me: dict[str, str]) -> None:
    response = call("post", "check-ins", me, {"mood": 3})
    assert response.status_code == 422
    named = call("post", "check-ins", me, {"used": True})
    assert named.status_code == 422 and "substances" in named.json()["errors"]


def test_questionnaire_answers_never_return_a_score(me: dict[str, str], fern: Client, phq9_due: None) -> None:
    questionnaire = call("get", "questionnaires/PHQ-9", me).json()
    assert [item["key"] for item in questionnaire["items"]][:2] == ["1", "2"]
    answers = {str(n): 2 for n in range(1, 9)} | {"9": 1}
    response = call("post", "questionnaires/PHQ-9", me, {"answers": answers})
    assert response.status_code == 201
    body = response.json()
    assert body["received"] is True and body["support"]["show"] is True
    assert "17" not in response.content.decode() and "total" not in response.content.decode()
    assert Administration.objects.get(client=fern).total == 17
    assert call("get", "questionnaires/PHQ-9", me).status_code == 404
    assert call("get", "questionnaires/GAD-7", me).status_code == 404


def test_invalid_answers_are_refused(me: dict[str, str], phq9_due: None) -> None:
    response = call("post", "questionnaires/PHQ-9", me, {"answers": {"1": 7}})
    assert response.status_code == 422 and "answers" in response.json()["errors"]


def test_the_plan(me: dict[str, str], episode: Episode, alice: User) -> None:
    assert call("get", "plan", me).json() == []
    final_relapse_plan(episode, alice)
    plans = call("get", "plan", me).json()
    assert plans[0]["kind"] == "relapse_prevention"
    triggers = next(s for s in plans[0]["sections"] if s["key"] == "triggers")
    assert triggers["value"][0]["description"] == "Lonely Sunday evenings"


def test_the_api_speaks_the_client_s_language(me: dict[str, str], fern_account: ClientAccount) -> None:
    fern_account.language = "es"
    fern_account.save()
    body = call("get", "today", me).json()
    assert body["crisis_line"]["name"] == "988 Línea de Prevención del Suicidio y Crisis"


def test_revoking_the_token_signs_the_app_out(me: dict[str, str]) -> None:
    assert call("delete", "tokens/current", me).status_code == 204
    assert call("get", "today", me).status_code == 401
    assert AuditEvent.objects.filter(event_type=EventType.PORTAL_TOKEN_REVOKED).count() == 1


def test_a_turned_off_account_s_token_stops_working(me: dict[str, str], fern_account: ClientAccount) -> None:
    fern_account.is_active = False
    fern_account.save()
    assert call("get", "today", me).status_code == 401


def test_the_client_side_is_in_the_openapi_schema_with_its_own_authentication() -> None:
    schema = HttpClient().get("/api/v1/openapi.json").json()
    today = schema["paths"]["/api/v1/me/today"]["get"]
    assert today["security"] == [{"ClientTokenAuth": []}]
    assert "security" not in schema["paths"]["/api/v1/me/tokens"]["post"]

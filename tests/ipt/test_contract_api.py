"""/api/v1/ipt/…/contract and …/renegotiate: the contract, its signatures and renegotiation, as on the pages."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Contract, Episode, Renegotiation
from tests.conftest import bearer

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
CONTRACT = {
    "start_date": "2026-04-01",
    "end_date": "2026-06-17",
    "focus": "Role transition: the lost job.",
    "modalities": [{"kind": "medication", "provider": "Dr Pia Patel"}],
}


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def api(episode: Episode, path: str = "contract") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/{path}"


def call(method: str, path: str, user: User, body: dict | None = None):
    http = HttpClient()
    if body is None:
        return getattr(http, method.lower())(path, **bearer(user))
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **bearer(user))


def test_it_writes_signs_locks_and_renegotiates_the_contract(episode: Episode, alice: User) -> None:
    assert call("GET", api(episode), alice).status_code == 404
    saved = call("PUT", api(episode), alice, CONTRACT)
    assert saved.status_code == 200
    body = saved.json()
    # Sessions, length and frequency default to the episode's plan.
    assert (body["sessions"], body["session_minutes"], body["frequency"], body["planned_sessions"]) == (
        12,
        50,
        "weekly",
        12,
    )
    assert body["modalities"] == [{"kind": "medication", "provider": "Dr Pia Patel"}]
    therapist = call("POST", api(episode, "contract/sign"), alice, {"therapist_signature": "Alice Ashby"})
    assert therapist.status_code == 200
    assert (therapist.json()["therapist_signed_at"], therapist.json()["is_signed"]) == ("2026-03-31T16:00:00Z", False)
    client = call("POST", api(episode, "contract/sign"), alice, {"client_signature": "Fern Fairweather"})
    assert client.json()["is_signed"] is True
    locked = call("PUT", api(episode), alice, CONTRACT | {"sessions": 14})
    assert locked.status_code == 422
    assert "no longer changes" in locked.json()["errors"]["__all__"][0]
    renegotiated = call(
        "POST", api(episode, "renegotiate"), alice, {"new_sessions": 15, "reason": "Lapse in week 5; three more."}
    )
    assert renegotiated.status_code == 201
    assert (renegotiated.json()["old_sessions"], renegotiated.json()["planned_sessions"]) == (12, 15)
    assert renegotiated.json()["agreed_on"] == "2026-03-31"
    after = call("GET", api(episode), alice).json()
    assert (after["sessions"], after["planned_sessions"], after["is_signed"]) == (15, 15, True)
    # The last session moves with the number: fifteen weekly sessions from 1 April end on 8 July.
    assert (after["start_date"], after["end_date"]) == ("2026-04-01", "2026-07-08")
    assert [r["reason"] for r in after["renegotiations"]] == ["Lapse in week 5; three more."]
    episode.refresh_from_db()
    assert episode.planned_sessions == 15
    kinds = [
        e.extra.get("kind")
        for e in AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, client=episode.client).order_by("id")
    ]
    assert kinds[-4:] == ["contract", "contract", "contract", "renegotiation"]
    renegotiation = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).latest("id")
    assert renegotiation.extra["changes"]["contract_end_date"] == ["2026-06-17", "2026-07-08"]


def test_it_answers_422_for_broken_rules(episode: Episode, alice: User) -> None:
    backwards = call("PUT", api(episode), alice, CONTRACT | {"end_date": "2026-03-01"})
    assert backwards.status_code == 422
    assert backwards.json()["errors"]["end_date"] == ["The last session comes after the first."]
    too_many = call("PUT", api(episode), alice, CONTRACT | {"sessions": 30})
    assert "12 to 16 sessions" in too_many.json()["errors"]["sessions"][0]
    no_provider = call("PUT", api(episode), alice, CONTRACT | {"modalities": [{"kind": "family", "provider": ""}]})
    assert no_provider.status_code == 422
    assert "modalities" in no_provider.json()["errors"]
    assert not Contract.objects.exists()
    no_reason = call("POST", api(episode, "renegotiate"), alice, {"new_sessions": 14, "reason": ""})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    assert not Renegotiation.objects.exists()


def test_it_lets_a_supervisor_read_but_answers_404_to_his_writes(episode: Episode, alice: User, bob: User) -> None:
    call("PUT", api(episode), alice, CONTRACT)
    assert call("GET", api(episode), bob).status_code == 200
    assert call("PUT", api(episode), bob, CONTRACT | {"sessions": 14}).status_code == 404
    assert call("POST", api(episode, "contract/sign"), bob, {"client_signature": "Fern"}).status_code == 404
    assert call("POST", api(episode, "renegotiate"), bob, {"new_sessions": 14, "reason": "x"}).status_code == 404
    contract = Contract.objects.get()
    assert (contract.sessions, contract.client_signed_at) == (12, None)


def test_it_answers_404_to_another_organization(episode: Episode, alice: User, carol: User) -> None:
    call("PUT", api(episode), alice, CONTRACT)
    assert call("GET", api(episode), carol).status_code == 404
    assert call("PUT", api(episode), carol, CONTRACT).status_code == 404
    assert call("POST", api(episode, "renegotiate"), carol, {"new_sessions": 14, "reason": "x"}).status_code == 404

"""/api/v1/measures/: scoring without storing, administrations and alerts, with the same rules as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.models import Administration, Alert
from tests.conftest import bearer

API = "/api/v1/measures/"
PHQ9_ITEM9 = {str(n): 0 for n in range(1, 9)} | {"9": 1}


def call(method: str, path: str, user: User, body: dict | None = None):
    http = HttpClient()
    kwargs = bearer(user)
    if body is None:
        return getattr(http, method.lower())(path, **kwargs)
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **kwargs)


@pytest.mark.django_db
def test_it_scores_without_storing(alice: User) -> None:
    response = call(
        "POST", f"{API}score", alice, {"instrument": "audit-c", "answers": {"1": 2, "2": 1, "3": 0}, "sex": "female"}
    )
    # 2+1+0 = 3: positive for women (cut-off 3).
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["positive"]) == (3, True)
    assert not Administration.objects.exists()


@pytest.mark.django_db
def test_it_names_the_problem_when_answers_do_not_fit(alice: User) -> None:
    wrong_value = call("POST", f"{API}score", alice, {"instrument": "AUDIT", "answers": {"9": 3}})
    unknown = call("POST", f"{API}score", alice, {"instrument": "BDI", "answers": {}})
    assert wrong_value.status_code == unknown.status_code == 422
    assert "item 9: 3 is not an answer" in wrong_value.json()["errors"]["answers"][0]
    assert "Unknown instrument 'BDI'" in unknown.json()["errors"]["instrument"][0]


@pytest.mark.django_db
def test_it_lists_the_instruments_with_items_and_codes(alice: User) -> None:
    instruments = {i["code"]: i for i in call("GET", f"{API}instruments", alice).json()}
    assert len(instruments) == 10
    assert instruments["PHQ-9"]["items"][8]["loinc"] == "44260-8"
    assert instruments["DAST-10"]["restricted_licence"] is True


@pytest.mark.django_db
def test_it_records_a_questionnaire_raises_the_alert_and_audits(alice: User, fern: Client) -> None:
    response = call(
        "POST", f"{API}clients/{fern.pk}/administrations", alice, {"instrument": "PHQ-9", "answers": PHQ9_ITEM9}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["instrument"], body["total"], body["flags"]) == ("PHQ-9", 1, ["item9-positive"])
    stored = Administration.objects.get(pk=body["id"])
    assert (stored.administered_by, stored.answered_by) == (alice, "clinician")
    assert Alert.objects.get().rule == "phq9_item9"
    event = AuditEvent.objects.get(event_type=EventType.MEASURE_RECORDED)
    assert (event.actor, event.client, event.channel) == (alice, fern, "api")


@pytest.mark.django_db
def test_it_lists_and_reads_administrations_for_those_who_may_see_them(
    alice: User, bob: User, tom: User, carol: User, fern: Client
) -> None:
    created = call(
        "POST",
        f"{API}clients/{fern.pk}/administrations",
        alice,
        {"instrument": "GAD-7", "answers": {str(n): 1 for n in range(1, 8)}},
    ).json()
    listing = call("GET", f"{API}clients/{fern.pk}/administrations?instrument=gad-7", bob).json()
    assert (listing["count"], listing["items"][0]["total"]) == (1, 7)
    assert call("GET", f"{API}clients/{fern.pk}/administrations/{created['id']}", bob).status_code == 200
    for outsider in (tom, carol):
        assert call("GET", f"{API}clients/{fern.pk}/administrations", outsider).status_code == 404
    refused = call("POST", f"{API}clients/{fern.pk}/administrations", bob, {"instrument": "GAD-7", "answers": {}})
    assert refused.status_code == 404
    assert Administration.objects.count() == 1


@pytest.mark.django_db
def test_it_closes_the_item_9_alert_only_with_a_cssrs(alice: User, fern: Client) -> None:
    call("POST", f"{API}clients/{fern.pk}/administrations", alice, {"instrument": "PHQ-9", "answers": PHQ9_ITEM9})
    alert = Alert.objects.get()
    refused = call("POST", f"{API}clients/{fern.pk}/alerts/{alert.pk}/close", alice, {"disposition": "Seen."})
    assert refused.status_code == 422
    assert "cssrs_administration" in refused.json()["errors"]
    screener = call(
        "POST",
        f"{API}clients/{fern.pk}/administrations",
        alice,
        {"instrument": "C-SSRS", "answers": {"1": "no", "2": "no", "6": "no"}},
    ).json()
    closed = call(
        "POST",
        f"{API}clients/{fern.pk}/alerts/{alert.pk}/close",
        alice,
        {"disposition": "Seen; no current ideation.", "cssrs_administration_id": screener["id"]},
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    listing = call("GET", f"{API}clients/{fern.pk}/alerts", alice).json()
    assert [a["status"] for a in listing["items"]] == ["closed"]


@pytest.mark.django_db
def test_it_lists_open_alerts_before_closed_ones(alice: User, fern: Client) -> None:
    from iptcare.measures.actions import do_close_alert, do_record_administration

    for _ in range(2):
        do_record_administration(fern, "PACS", {str(n): 3 for n in range(1, 6)}, acting_user=alice)
    for alert in Alert.objects.all():
        do_close_alert(alert, disposition="Talked it through.", acting_user=alice)
    do_record_administration(fern, "PHQ-9", PHQ9_ITEM9, acting_user=alice)
    first_page = call("GET", f"{API}clients/{fern.pk}/alerts?limit=2", alice).json()
    assert [a["status"] for a in first_page["items"]] == ["open", "closed"]
    assert first_page["items"][0]["rule"] == "phq9_item9"


@pytest.mark.django_db
def test_it_asks_for_a_time_zone_on_administered_at(alice: User, fern: Client) -> None:
    body = {
        "instrument": "GAD-7",
        "answers": {str(n): 0 for n in range(1, 8)},
        "administered_at": "2026-03-02T10:00:00",
    }
    response = call("POST", f"{API}clients/{fern.pk}/administrations", alice, body)
    assert response.status_code == 422
    assert "time zone" in response.json()["errors"]["administered_at"][0]

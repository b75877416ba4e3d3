"""Per-organization alert thresholds and reliable-change thresholds; safety alerts cannot be switched off."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.actions import do_record_administration
from iptcare.measures.models import Alert, AlertRule, MeasureSettings
from iptcare.measures.selectors import progress
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def pacs(total: int) -> dict[str, int]:
    values = [min(6, max(0, total - 6 * n)) for n in range(5)]
    return {str(n): v for n, v in enumerate(values, start=1)}


def gad7_total(total: int) -> dict[str, int]:
    values = [min(3, max(0, total - 3 * n)) for n in range(7)]
    return {str(n): v for n, v in enumerate(values, start=1)}


def save_settings(eve: User, **fields: object) -> None:
    data = {"pacs_alert_at": "15", "deterioration_alerts": "on"} | {k: str(v) for k, v in fields.items()}
    response = sign_in(eve).post("/manage/measures/", data)
    assert response.status_code == 302, response.content.decode()[:500]


def test_it_raises_high_craving_at_the_organizations_threshold(eve: User, alice: User, fern: Client) -> None:
    save_settings(eve, pacs_alert_at=20)
    do_record_administration(fern, "PACS", pacs(19), acting_user=alice)
    assert not Alert.objects.exists()
    do_record_administration(fern, "PACS", pacs(20), acting_user=alice)
    assert list(Alert.objects.values_list("rule", "detail")) == [(AlertRule.HIGH_CRAVING, "PACS 20")]


def test_it_judges_change_and_deterioration_with_the_organizations_threshold(
    eve: User, alice: User, fern: Client
) -> None:
    sign_in(eve).post(
        "/manage/measures/", {"pacs_alert_at": "15", "deterioration_alerts": "on", "threshold_GAD-7": "6"}
    )
    assert MeasureSettings.objects.get().reliable_change_thresholds == {"GAD-7": 6.0}
    with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
        do_record_administration(fern, "GAD-7", gad7_total(5), acting_user=alice)
    with time_machine.travel(dt.datetime(2026, 3, 9, tzinfo=dt.UTC)):
        do_record_administration(fern, "GAD-7", gad7_total(10), acting_user=alice)  # +5: reliable under the default 4
    assert not Alert.objects.exists()
    assert progress(fern, "GAD-7").change.verdict == "no reliable change"
    with time_machine.travel(dt.datetime(2026, 3, 16, tzinfo=dt.UTC)):
        do_record_administration(fern, "GAD-7", gad7_total(11), acting_user=alice)  # +6
    assert Alert.objects.get().rule == AlertRule.DETERIORATION


def test_it_can_switch_off_deterioration_alerts_but_never_the_item_9_alert(
    eve: User, alice: User, fern: Client
) -> None:
    sign_in(eve).post("/manage/measures/", {"pacs_alert_at": "15"})
    assert MeasureSettings.objects.get().deterioration_alerts is False
    with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
        do_record_administration(fern, "GAD-7", gad7_total(2), acting_user=alice)
    with time_machine.travel(dt.datetime(2026, 3, 9, tzinfo=dt.UTC)):
        do_record_administration(fern, "GAD-7", gad7_total(15), acting_user=alice)
        do_record_administration(fern, "PHQ-9", {str(n): 0 for n in range(1, 9)} | {"9": 1}, acting_user=alice)
    assert list(Alert.objects.values_list("rule", flat=True)) == [AlertRule.PHQ9_ITEM9]
    assert AuditEvent.objects.filter(event_type=EventType.MEASURE_SETTINGS_CHANGED, actor=eve).exists()


def test_it_keeps_the_settings_page_to_admins_and_validates(eve: User, alice: User) -> None:
    assert sign_in(alice).get("/manage/measures/").status_code == 403
    response = sign_in(eve).post("/manage/measures/", {"pacs_alert_at": "31"})
    assert response.status_code == 200
    assert "pacs_alert_at" in response.context["form"].errors
    assert not MeasureSettings.objects.exists()

"""Recording use days and check-ins: stored as given, re-entered in place with old and new values audited, and the
lapse alert raised once after a run of recorded abstinent days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.measures.models import Alert, AlertRule
from iptcare.substance_use.actions import (
    LAPSE_AFTER_ABSTINENT_DAYS,
    DayEntry,
    SubstanceEntry,
    do_record_check_in,
    do_record_use_days,
)
from iptcare.substance_use.models import CheckIn, UseDay
from tests.conftest import make_client

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    # Noon in New York (the default TIME_ZONE) on 31 March 2026.
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def march(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def no_use(n: int) -> DayEntry:
    return DayEntry(march(n), "no_use")


def drank(n: int, drinks: str | None = "3") -> DayEntry:
    amount = Decimal(drinks) if drinks is not None else None
    return DayEntry(march(n), "used", (SubstanceEntry("alcohol", True, amount),))


def stored(client: Client, n: int) -> dict[str, tuple[bool, Decimal | None, str]]:
    return {r.substance: (r.used, r.amount, r.unit) for r in UseDay.objects.filter(client=client, date=march(n))}


def lapse_alerts(client: Client) -> list[Alert]:
    return list(Alert.objects.filter(client=client, rule=AlertRule.LAPSE))


class TestRecordingDays:
    def test_it_stores_a_day_of_use_and_a_day_without_use(self, fern: Client, alice: User) -> None:
        changed = do_record_use_days(fern, [no_use(2), drank(3, "6")], acting_user=alice)
        assert changed == [march(2), march(3)]
        assert stored(fern, 2) == {"any": (False, None, "")}
        assert stored(fern, 3) == {
            "any": (True, None, ""),
            "alcohol": (True, Decimal("6"), "standard_drinks"),
        }
        row = UseDay.objects.get(client=fern, date=march(3), substance="alcohol")
        assert (row.source, row.recorded_by, row.organization_id) == ("tlfb", alice, fern.organization_id)
        # 1 March was not entered: no row at all, so it stays missing.
        assert not UseDay.objects.filter(date=march(1)).exists()

    def test_it_audits_each_changed_day(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [drank(3, "6")], acting_user=alice)
        event = AuditEvent.objects.get(event_type=EventType.MEASURE_RECORDED)
        assert (event.actor, event.client, event.object_type) == (alice, fern, "substance_use.useday")
        assert event.extra["kind"] == "use_day"
        assert event.extra["date"] == "2026-03-03"
        assert event.extra["changes"] == {
            "day": [None, "Used"],
            "alcohol": [None, "used (6 standard drinks)"],
        }

    def test_re_entering_a_day_updates_it_in_place_with_old_and_new_values(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [drank(3, "6")], acting_user=alice)
        row_ids = set(UseDay.objects.values_list("id", flat=True))
        changed = do_record_use_days(fern, [drank(3, "4.5")], acting_user=alice)
        assert changed == [march(3)]
        assert set(UseDay.objects.values_list("id", flat=True)) == row_ids
        assert stored(fern, 3)["alcohol"] == (True, Decimal("4.5"), "standard_drinks")
        event = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).order_by("-id").first()
        assert event.extra["changes"] == {"alcohol": ["used (6 standard drinks)", "used (4.5 standard drinks)"]}

    def test_an_unchanged_day_writes_nothing(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [drank(3, "6")], acting_user=alice)
        assert do_record_use_days(fern, [drank(3, "6.00")], acting_user=alice) == []
        assert AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).count() == 1

    def test_setting_a_day_back_to_missing_removes_its_rows_and_keeps_them_in_the_audit(
        self, fern: Client, alice: User
    ) -> None:
        do_record_use_days(fern, [drank(3, "6")], acting_user=alice)
        do_record_use_days(fern, [DayEntry(march(3), "missing")], acting_user=alice)
        assert stored(fern, 3) == {}
        event = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).order_by("-id").first()
        assert event.extra["changes"] == {"day": ["Used", None], "alcohol": ["used (6 standard drinks)", None]}

    @pytest.mark.parametrize(
        "entry",
        [
            DayEntry(march(3), "no_use", (SubstanceEntry("alcohol", True),)),
            DayEntry(march(3), "used"),
            DayEntry(
                march(3), "used", (SubstanceEntry("alcohol", False, Decimal(2)), SubstanceEntry("cannabis", True))
            ),
            DayEntry(march(3), "used", (SubstanceEntry("cannabis", True, Decimal(1), "standard_drinks"),)),
            DayEntry(march(3), "used", (SubstanceEntry("cannabis", True, Decimal(1), ""),)),
            DayEntry(dt.date(2026, 4, 1), "no_use"),
        ],
        ids=["no-use-but-used", "used-but-nothing", "amount-not-used", "drinks-for-cannabis", "no-unit", "future"],
    )
    def test_it_refuses_an_inconsistent_day(self, fern: Client, alice: User, entry: DayEntry) -> None:
        with pytest.raises(ValidationError):
            do_record_use_days(fern, [entry], acting_user=alice)
        assert not UseDay.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"substance": "alcohol", "used": True, "amount": Decimal(2), "unit": "grams"},
        {"substance": "cannabis", "used": True, "amount": Decimal(2), "unit": "standard_drinks"},
        {"substance": "cannabis", "used": True, "amount": Decimal(2), "unit": ""},
        {"substance": "cannabis", "used": False, "amount": Decimal(2), "unit": "grams"},
        {"substance": "cannabis", "used": True, "amount": Decimal(-1), "unit": "grams"},
        {"substance": "any", "used": True, "amount": Decimal(1), "unit": "doses"},
    ],
    ids=["alcohol-in-grams", "drinks-for-cannabis", "amount-without-unit", "amount-not-used", "negative", "whole-day"],
)
def test_the_database_refuses_what_the_forms_refuse(fern: Client, fields: dict[str, Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        UseDay.objects.create(organization_id=fern.organization_id, client=fern, date=march(3), source="tlfb", **fields)


class TestTheLapseAlert:
    def test_use_after_seven_abstinent_days_raises_one_alert(
        self, fern: Client, alice: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert LAPSE_AFTER_ABSTINENT_DAYS == 7
        do_record_use_days(fern, [no_use(n) for n in range(1, 8)], acting_user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            do_record_use_days(fern, [drank(8)], acting_user=alice)
        [alert] = lapse_alerts(fern)
        assert (alert.owner, alert.status, alert.needs_cssrs) == (alice, "open", False)
        assert "2026-03-08" in alert.detail and "Alcohol" in alert.detail and "7 consecutive" in alert.detail
        assert UseDay.objects.get(client=fern, date=march(8), substance="any").lapse_alert == alert
        # The primary therapist is told that something waits, without clinical detail.
        assert [m.to for m in mail.outbox] == [[alice.email]]
        assert "Alcohol" not in mail.outbox[0].body
        # The days of use that follow belong to the same lapse.
        do_record_use_days(fern, [drank(9), drank(10)], acting_user=alice)
        assert len(lapse_alerts(fern)) == 1

    def test_use_after_six_abstinent_days_raises_none(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [no_use(n) for n in range(2, 8)], acting_user=alice)
        do_record_use_days(fern, [drank(8)], acting_user=alice)
        assert lapse_alerts(fern) == []

    def test_a_missing_day_breaks_the_abstinent_run(self, fern: Client, alice: User) -> None:
        # Eight days, but 4 March is missing: only 5–7 March (three days) come right before the 8th.
        do_record_use_days(fern, [no_use(n) for n in (1, 2, 3, 5, 6, 7)], acting_user=alice)
        do_record_use_days(fern, [drank(8)], acting_user=alice)
        assert lapse_alerts(fern) == []

    def test_days_entered_in_one_save_raise_the_alert_for_the_first_day_of_use(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [*(no_use(n) for n in range(1, 8)), drank(8), drank(9), no_use(10)], acting_user=alice)
        [alert] = lapse_alerts(fern)
        assert "2026-03-08" in alert.detail

    def test_a_second_lapse_after_another_abstinent_week_raises_a_second_alert(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [*(no_use(n) for n in range(1, 8)), drank(8)], acting_user=alice)
        do_record_use_days(fern, [*(no_use(n) for n in range(9, 16)), drank(16)], acting_user=alice)
        assert len(lapse_alerts(fern)) == 2

    def test_a_lapse_day_entered_after_the_following_day_of_use_raises_no_second_alert(
        self, fern: Client, alice: User
    ) -> None:
        # Nine abstinent days, then use on the 10th: a lapse.
        do_record_use_days(fern, [*(no_use(n) for n in range(1, 10)), drank(10)], acting_user=alice)
        # Corrected later: the use began on the 9th. The 9th follows eight abstinent days, but it is the same lapse.
        do_record_use_days(fern, [drank(9)], acting_user=alice)
        assert len(lapse_alerts(fern)) == 1

    def test_changing_only_the_amount_of_a_day_of_use_raises_nothing(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [no_use(n) for n in range(1, 8)], acting_user=alice)
        do_record_use_days(fern, [drank(8, "2")], acting_user=alice)
        do_record_use_days(fern, [drank(8, "5")], acting_user=alice)
        assert len(lapse_alerts(fern)) == 1


class TestCheckIns:
    def test_it_stores_a_check_in_and_records_the_day(self, fern: Client, alice: User) -> None:
        sister = Person.objects.get(client=fern)
        check_in, created = do_record_check_in(
            fern,
            {
                "date": march(30),
                "mood": 3,
                "craving": 8,
                "used": True,
                "substances": ["cannabis", "alcohol"],
                "interpersonal_event": "Argument with sister about money",
                "person": sister,
            },
            acting_user=alice,
        )
        assert created
        stored_check_in = CheckIn.objects.get()
        assert (stored_check_in.mood, stored_check_in.craving, stored_check_in.person) == (3, 8, sister)
        # Stored in the order substances are listed.
        assert stored_check_in.substances == ["alcohol", "cannabis"]
        assert stored_check_in.recorded_by == alice
        assert stored(fern, 30) == {
            "any": (True, None, ""),
            "alcohol": (True, None, ""),
            "cannabis": (True, None, ""),
        }
        assert set(UseDay.objects.values_list("source", flat=True)) == {"check_in"}
        kinds = [e.extra["kind"] for e in AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED)]
        assert sorted(kinds) == ["check_in", "use_day"]
        assert check_in.pk == stored_check_in.pk

    def test_a_second_check_in_for_the_day_changes_the_first_and_keeps_amounts(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [drank(30, "6")], acting_user=alice)
        base = {"date": march(30), "mood": 5, "craving": 2, "used": True, "substances": ["alcohol"]}
        _check_in, created = do_record_check_in(fern, base, acting_user=alice)
        assert created
        # The check-in named alcohol, which the calendar already had with its amount: the amount stays.
        assert stored(fern, 30)["alcohol"] == (True, Decimal("6"), "standard_drinks")
        check_in, created = do_record_check_in(fern, {**base, "mood": 4}, acting_user=alice)
        assert not created
        assert CheckIn.objects.count() == 1
        assert check_in.mood == 4
        event = AuditEvent.objects.filter(event_type=EventType.MEASURE_RECORDED).order_by("-id").first()
        assert event.extra["changes"] == {"mood": [5, 4]}

    def test_a_check_in_of_no_use_marks_substances_of_the_day_as_not_used(self, fern: Client, alice: User) -> None:
        do_record_use_days(fern, [drank(30, "6")], acting_user=alice)
        do_record_check_in(fern, {"date": march(30), "used": False}, acting_user=alice)
        assert stored(fern, 30) == {"any": (False, None, ""), "alcohol": (False, None, "")}

    def test_a_check_in_reporting_use_after_a_week_without_raises_the_lapse_alert(
        self, fern: Client, alice: User
    ) -> None:
        for n in range(20, 27):
            do_record_check_in(fern, {"date": march(n), "used": False, "mood": 6}, acting_user=alice)
        do_record_check_in(fern, {"date": march(27), "used": True, "substances": ["opioids"]}, acting_user=alice)
        [alert] = lapse_alerts(fern)
        assert "Opioids" in alert.detail

    def test_it_refuses_someone_from_another_clients_life(self, north, north_site, fern: Client, alice: User) -> None:
        other = make_client(north, north_site, primary=alice)
        stranger = Person.objects.create(client=other, name="Neighbour", relationship_type="other")
        with pytest.raises(ValidationError):
            do_record_check_in(fern, {"date": march(30), "used": False, "person": stranger}, acting_user=alice)
        assert not CheckIn.objects.exists()


def test_it_raises_the_lapse_when_the_sober_days_before_it_are_entered_afterwards(fern, alice) -> None:
    from iptcare.measures.models import Alert, AlertRule
    from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_use_days
    from iptcare.substance_use.models import DayStatus, Unit

    today = timezone.localdate()
    use_day = today - dt.timedelta(days=1)
    drink = SubstanceEntry("alcohol", used=True, amount=Decimal(5), unit=Unit.STANDARD_DRINKS)
    do_record_use_days(fern, [DayEntry(use_day, DayStatus.USED, (drink,))], acting_user=alice)
    assert not Alert.objects.exists()
    sober = [DayEntry(use_day - dt.timedelta(days=n), DayStatus.NO_USE) for n in range(1, 15)]
    do_record_use_days(fern, sober, acting_user=alice)
    assert list(Alert.objects.values_list("rule", flat=True)) == [AlertRule.LAPSE]
    do_record_use_days(fern, [DayEntry(use_day - dt.timedelta(days=20), DayStatus.NO_USE)], acting_user=alice)
    assert Alert.objects.count() == 1

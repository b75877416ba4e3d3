"""Which questionnaires are due: every N days, once at intake, at discharge; due from the date, overdue 3 days later."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.actions import do_add_schedule, do_apply_standard_schedule, do_record_administration
from iptcare.measures.models import MeasureSchedule
from iptcare.measures.schedules import due_by_client
from tests.conftest import make_client, sign_in

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)  # a Monday, mid-day in New York too


def gad7(value: int = 1) -> dict[str, int]:
    return {str(n): value for n in range(1, 8)}


def states(client: Client, on: dt.date) -> dict[str, tuple[str, dt.date]]:
    return {d.instrument_code: (d.state, d.due_on) for d in due_by_client([client], on)[client.pk]}


def test_it_makes_a_weekly_measure_due_on_day_7_and_overdue_after_day_10(fern: Client, alice: User) -> None:
    with time_machine.travel(START):
        do_add_schedule(fern, "GAD-7", "every_n_days", interval_days=7, acting_user=alice)
        do_record_administration(fern, "GAD-7", gad7(), acting_user=alice)
    given = START.date()
    assert states(fern, given + dt.timedelta(days=6)) == {}
    assert states(fern, given + dt.timedelta(days=7)) == {"GAD-7": ("due", given + dt.timedelta(days=7))}
    assert states(fern, given + dt.timedelta(days=10)) == {"GAD-7": ("due", given + dt.timedelta(days=7))}
    assert states(fern, given + dt.timedelta(days=11)) == {"GAD-7": ("overdue", given + dt.timedelta(days=7))}


def test_it_makes_intake_measures_due_until_given_and_discharge_measures_due_on_discharge(
    fern: Client, alice: User
) -> None:
    with time_machine.travel(START):
        do_add_schedule(fern, "AUDIT", "at_intake", acting_user=alice)
        do_add_schedule(fern, "DAST-10", "at_discharge", acting_user=alice)
    assert states(fern, START.date()) == {"AUDIT": ("due", START.date())}
    with time_machine.travel(START + dt.timedelta(days=1)):
        do_record_administration(fern, "AUDIT", {str(n): 0 for n in range(1, 11)}, acting_user=alice)
    assert states(fern, START.date() + dt.timedelta(days=2)) == {}
    fern.status, fern.status_since = "discharged", dt.date(2026, 5, 1)
    fern.save()
    assert states(fern, dt.date(2026, 5, 5)) == {"DAST-10": ("overdue", dt.date(2026, 5, 1))}


def test_it_applies_the_standard_schedule_once_and_audits(fern: Client, alice: User) -> None:
    assert do_apply_standard_schedule(fern, acting_user=alice) == 6
    assert do_apply_standard_schedule(fern, acting_user=alice) == 0
    assert MeasureSchedule.objects.filter(client=fern).count() == 6
    assert AuditEvent.objects.filter(event_type=EventType.SCHEDULE_CHANGED, client=fern).count() == 6


def test_it_manages_the_schedule_on_the_measures_page(fern: Client, alice: User, bob: User) -> None:
    http = sign_in(alice)
    http.post(
        f"/clients/{fern.pk}/measures/schedules/",
        {"action": "add", "schedule-instrument": "PHQ-9", "schedule-kind": "every_n_days"},
    )
    assert not MeasureSchedule.objects.exists()  # no interval given
    http.post(
        f"/clients/{fern.pk}/measures/schedules/",
        {
            "action": "add",
            "schedule-instrument": "PHQ-9",
            "schedule-kind": "every_n_days",
            "schedule-interval_days": "14",
        },
    )
    schedule = MeasureSchedule.objects.get()
    assert (schedule.instrument_code, schedule.interval_days) == ("PHQ-9", 14)
    page = http.get(f"/clients/{fern.pk}/measures/").content.decode()
    assert 'PHQ-9</strong> · <span class="badge due-due">due' in page
    assert (
        sign_in(bob)
        .post(f"/clients/{fern.pk}/measures/schedules/", {"action": "remove", "schedule_id": schedule.pk})
        .status_code
        == 404
    )
    http.post(f"/clients/{fern.pk}/measures/schedules/", {"action": "remove", "schedule_id": schedule.pk})
    assert not MeasureSchedule.objects.exists()


def test_it_shows_due_and_overdue_on_the_caseload_in_constant_queries(
    north: Organization, north_site: Site, alice: User
) -> None:
    http = sign_in(alice)

    def add(count: int) -> None:
        for _ in range(count):
            client = make_client(north, north_site, primary=alice)
            do_apply_standard_schedule(client, acting_user=alice)

    add(2)
    with CaptureQueriesContext(connection) as few:
        response = http.get("/clients/")
    assert [d.instrument_code for d in response.context["page"].object_list[0].due_items] == [
        "AUDIT",
        "DAST-10",
        "GAD-7",
        "PHQ-9",
    ]
    add(8)
    with CaptureQueriesContext(connection) as many:
        http.get("/clients/")
    assert len(many) == len(few)

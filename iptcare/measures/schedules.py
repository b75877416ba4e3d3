"""Which questionnaires are due: pure rules over schedules and the dates questionnaires were last given."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from iptcare.clients.models import Client, ClientStatus
from iptcare.measures.models import Administration, MeasureSchedule, ScheduleKind

# A questionnaire becomes overdue this many days after its due date (a week's session can move a little).
GRACE_DAYS = 3

# The program's usual schedule (PRODUCT.md 2.3): mood measures weekly, alcohol and drug screens at the ends.
STANDARD_SCHEDULE = (
    ("PHQ-9", ScheduleKind.EVERY_N_DAYS, 7),
    ("GAD-7", ScheduleKind.EVERY_N_DAYS, 7),
    ("AUDIT", ScheduleKind.AT_INTAKE, None),
    ("AUDIT", ScheduleKind.AT_DISCHARGE, None),
    ("DAST-10", ScheduleKind.AT_INTAKE, None),
    ("DAST-10", ScheduleKind.AT_DISCHARGE, None),
)


@dataclass(frozen=True)
class Due:
    instrument_code: str
    due_on: dt.date
    # "due" from its date, "overdue" after the grace days, "upcoming" before its date.
    state: str


def due_for(
    schedules: Iterable[MeasureSchedule], last_given: dict[str, dt.date], client: Client, today: dt.date
) -> list[Due]:
    """Every schedule's next due date and state for one client, soonest first."""
    found = []
    for schedule in schedules:
        due_on = _due_on(schedule, last_given.get(schedule.instrument_code), client)
        if due_on is not None:
            found.append(Due(schedule.instrument_code, due_on, _state(due_on, today)))
    return sorted(found, key=lambda d: (d.due_on, d.instrument_code))


def _due_on(schedule: MeasureSchedule, last: dt.date | None, client: Client) -> dt.date | None:
    start = timezone.localtime(schedule.created_at).date()
    if schedule.kind == ScheduleKind.EVERY_N_DAYS:
        return (last + dt.timedelta(days=schedule.interval_days or 0)) if last else start
    if schedule.kind == ScheduleKind.AT_INTAKE:
        return None if last else start
    if schedule.kind == ScheduleKind.AT_DISCHARGE and client.status == ClientStatus.DISCHARGED:
        discharged = client.status_since
        return None if last and last >= discharged else discharged
    return None


def _state(due_on: dt.date, today: dt.date) -> str:
    if due_on > today:
        return "upcoming"
    return "overdue" if (today - due_on).days > GRACE_DAYS else "due"


def last_given_dates(client: Client) -> dict[str, dt.date]:
    rows = (
        Administration.objects.current()
        .filter(client=client)
        .values("instrument_code")
        .annotate(latest=Max("administered_at"))
    )
    return {row["instrument_code"]: timezone.localtime(row["latest"]).date() for row in rows}


def due_by_client(clients: list[Client], today: dt.date | None = None) -> dict[int, list[Due]]:
    """Due and overdue questionnaires for many clients in two queries (for the caseload)."""
    today = today or timezone.localdate()
    ids = [c.pk for c in clients]
    schedules: dict[int, list[MeasureSchedule]] = defaultdict(list)
    for schedule in MeasureSchedule.objects.filter(client_id__in=ids):
        schedules[schedule.client_id].append(schedule)
    last: dict[int, dict[str, dt.date]] = defaultdict(dict)
    given = (
        Administration.objects.current()
        .filter(client_id__in=ids)
        .values("client_id", "instrument_code")
        .annotate(latest=Max("administered_at"))
    )
    for row in given:
        last[row["client_id"]][row["instrument_code"]] = timezone.localtime(row["latest"]).date()
    return {
        client.pk: [d for d in due_for(schedules[client.pk], last[client.pk], client, today) if d.state != "upcoming"]
        for client in clients
    }

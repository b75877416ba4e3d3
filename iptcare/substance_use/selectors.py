"""Read-only queries for the use pages and the API: a window of days, its metrics, the streak, check-ins."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from iptcare.clients.models import Client, Substance
from iptcare.substance_use.metrics import (
    RecordedDay,
    Streak,
    SubstanceUse,
    WindowMetrics,
    current_abstinence_streak,
    heavy_drinking_rule,
    is_heavy_drinking_day,
    window_metrics,
)
from iptcare.substance_use.models import ANY_SUBSTANCE, DEFAULT_UNITS, CheckIn, DayStatus, Unit, UseDay


def dates_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def amount_text(use: SubstanceUse) -> str:
    if use.amount is None:
        return _("amount not given")
    unit = str(Unit(use.unit).label) if use.unit in Unit.values else use.unit
    return f"{format(use.amount.normalize(), 'f')} {unit}"


@dataclass(frozen=True)
class DayView:
    """One day of a window as the pages and the API show it, missing days included."""

    date: dt.date
    status: str
    # Where the day's record came from (tlfb or check_in); "" for a missing day.
    source: str
    record: RecordedDay | None
    heavy_drinking: bool = False

    @property
    def status_label(self) -> str:
        return str(DayStatus(self.status).label)

    @property
    def description(self) -> str:
        """ "No use", "Used: Alcohol (6 standard drinks), Cannabis (amount not given)" or "Not recorded"."""
        if self.record is None:
            return str(DayStatus.MISSING.label)
        if not self.record.used:
            return str(DayStatus.NO_USE.label)
        used = [f"{Substance(s).label} ({amount_text(self.record.substances[s])})" for s in self.record.used_substances]
        text = _("Used: %(what)s") % {"what": ", ".join(used) or _("substance not recorded")}
        if self.heavy_drinking:
            text += " · " + _("heavy drinking day")
        return text


def use_rows(client: Client, start: dt.date, end: dt.date) -> list[UseDay]:
    """Every row of the window in one query."""
    return list(UseDay.objects.filter(client=client, date__gte=start, date__lte=end).order_by("date", "substance"))


def recorded_days(rows: Iterable[UseDay]) -> tuple[dict[dt.date, RecordedDay], dict[dt.date, str]]:
    """The recorded days among `rows` (those with a whole-day row), and the source of each."""
    rows = list(rows)
    parts: dict[dt.date, dict[str, SubstanceUse]] = defaultdict(dict)
    for row in rows:
        if row.substance != ANY_SUBSTANCE:
            parts[row.date][row.substance] = SubstanceUse(row.used, row.amount, row.unit)
    whole = [row for row in rows if row.substance == ANY_SUBSTANCE]
    days = {row.date: RecordedDay(row.date, row.used, parts.get(row.date, {})) for row in whole}
    return days, {row.date: row.source for row in whole}


def window_days(client: Client, start: dt.date, end: dt.date, rows: list[UseDay] | None = None) -> list[DayView]:
    """Every day from `start` to `end`; a day nobody recorded has status "missing"."""
    days, sources = recorded_days(use_rows(client, start, end) if rows is None else rows)
    rule = heavy_drinking_rule(client.sex_at_birth)
    views = []
    for date in dates_between(start, end):
        record = days.get(date)
        if record is None:
            views.append(DayView(date, DayStatus.MISSING, "", None))
        else:
            status = DayStatus.USED if record.used else DayStatus.NO_USE
            views.append(DayView(date, status, sources[date], record, is_heavy_drinking_day(record, rule)))
    return views


def abstinence_streak(client: Client) -> Streak:
    """The current streak over the client's whole record (one query on two small columns)."""
    history = dict(UseDay.objects.whole_days().filter(client=client).values_list("date", "used"))
    return current_abstinence_streak(history)


@dataclass(frozen=True)
class UseSummary:
    metrics: WindowMetrics
    streak: Streak
    days: list[DayView]


def use_summary(client: Client, start: dt.date, end: dt.date) -> UseSummary:
    """Metrics, streak and days of a window: two queries whatever the number of days recorded."""
    rows = use_rows(client, start, end)
    days = window_days(client, start, end, rows)
    metrics = window_metrics(
        [d.record for d in days if d.record is not None],
        start=start,
        end=end,
        sex_at_birth=client.sex_at_birth,
        tracked=client.primary_substances,
    )
    return UseSummary(metrics, abstinence_streak(client), days)


def calendar_substances(client: Client, days: list[DayView], extra: Iterable[str] = ()) -> list[str]:
    """The substance columns of the calendar: the client's primary substances, those recorded in the window, and
    any added on the page, in the order substances are listed."""
    wanted = set(client.primary_substances) | set(extra)
    for day in days:
        if day.record is not None:
            wanted |= set(day.record.substances)
    return [s for s in Substance.values if s in wanted]


def calendar_units(days: list[DayView], substances: list[str]) -> dict[str, str]:
    """The unit each column offers: the latest unit recorded with an amount in the window, else the default."""
    units = {s: str(DEFAULT_UNITS[Substance(s)]) for s in substances}
    for day in days:
        if day.record is None:
            continue
        for substance, use in day.record.substances.items():
            if substance in units and use.amount is not None and use.unit:
                units[substance] = use.unit
    return units


def check_ins(client: Client) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(client=client).select_related("person", "recorded_by").order_by("-date", "-id")


def percent_days_abstinent_by_client(client_ids: list[int], start: dt.date, end: dt.date) -> dict[int, float | None]:
    """Percent days abstinent over the window for many clients in one query (missing days count against it).

    None for a client with no recorded day in the window, so that "nothing recorded" never reads as 0 %.
    """
    days = (end - start).days + 1
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in client_ids}
    rows = UseDay.objects.whole_days().filter(client_id__in=client_ids, date__gte=start, date__lte=end)
    for client_id, used in rows.values_list("client_id", "used"):
        counts[client_id][0] += 1
        counts[client_id][1] += 0 if used else 1
    return {
        pk: (round(abstinent / days * 100, 1) if recorded else None) for pk, (recorded, abstinent) in counts.items()
    }

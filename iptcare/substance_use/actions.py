"""Recording use days and check-ins. Each function is one audited transaction; a lapse raises its alert in it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Client, Substance
from iptcare.measures.actions import raise_alert
from iptcare.measures.models import AlertRule
from iptcare.substance_use.metrics import abstinent_days_before
from iptcare.substance_use.models import ANY_SUBSTANCE, CheckIn, DayStatus, Source, Unit, UseDay

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# A lapse is use recorded after at least this many consecutive recorded abstinent days (missing days break the
# run). One week is the program's default, not a published cut-off: change it here if the program decides so.
LAPSE_AFTER_ABSTINENT_DAYS = 7
# How far back the lapse check looks to count the abstinent run it reports.
_LAPSE_LOOKBACK_DAYS = 366

CHECK_IN_FIELDS = ("mood", "craving", "used", "substances", "interpersonal_event", "person")


@dataclass(frozen=True)
class SubstanceEntry:
    substance: str
    used: bool
    amount: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class DayEntry:
    """Everything recorded for one day. Saving it replaces what the day had before."""

    date: dt.date
    status: str
    substances: tuple[SubstanceEntry, ...] = ()


def day_entry_problems(entry: DayEntry, *, today: dt.date) -> list[tuple[str, str | None, str]]:
    """What is wrong with a day as entered: (field, substance or None, message) for each problem.

    The forms show these next to the fields; the action refuses an entry that has any.
    """
    problems: list[tuple[str, str | None, str]] = []
    if entry.date > today:
        problems.append(("date", None, _("A day in the future cannot be recorded.")))
    seen: set[str] = set()
    for item in entry.substances:
        if item.substance not in Substance.values:
            problems.append(("substance", item.substance, _("Choose a substance from the list.")))
            continue
        if item.substance in seen:
            problems.append(("substance", item.substance, _("Each substance is listed once a day.")))
        seen.add(item.substance)
        if item.amount is not None and not item.used:
            problems.append(("amount", item.substance, _("An amount is only recorded for a substance that was used.")))
        if item.amount is not None and item.amount < 0:
            problems.append(("amount", item.substance, _("An amount cannot be negative.")))
        if item.substance == Substance.ALCOHOL:
            if item.unit not in ("", Unit.STANDARD_DRINKS):
                problems.append(("unit", item.substance, _("Alcohol is recorded in standard drinks.")))
        elif item.unit == Unit.STANDARD_DRINKS:
            problems.append(("unit", item.substance, _("Standard drinks are a unit for alcohol only.")))
        elif item.unit and item.unit not in Unit.values:
            problems.append(("unit", item.substance, _("Choose a unit from the list.")))
        elif item.amount is not None and item.used and not item.unit:
            problems.append(("unit", item.substance, _("Choose the unit of the amount.")))
    any_used = any(item.used for item in entry.substances)
    if entry.status == DayStatus.MISSING and entry.substances:
        problems.append(("status", None, _("A day that is not recorded has no substances: choose No use or Used.")))
    elif entry.status == DayStatus.NO_USE and any_used:
        problems.append(("status", None, _("This day is marked as no use, but a substance is marked as used.")))
    elif entry.status == DayStatus.USED and not any_used:
        problems.append(("status", None, _("Say what was used on this day.")))
    elif entry.status not in DayStatus.values:
        problems.append(("status", None, _("Choose Not recorded, No use or Used.")))
    return problems


# (used, amount, unit) of each row of a day, by substance ("any" for the whole day).
DayValues = dict[str, tuple[bool, Decimal | None, str]]


def _values_of(entry: DayEntry) -> DayValues:
    if entry.status == DayStatus.MISSING:
        return {}
    values: DayValues = {ANY_SUBSTANCE: (entry.status == DayStatus.USED, None, "")}
    for item in entry.substances:
        amount = item.amount if item.used else None
        if amount is None:
            unit = ""
        elif item.substance == Substance.ALCOHOL:
            unit = Unit.STANDARD_DRINKS
        else:
            unit = item.unit
        values[item.substance] = (item.used, amount, unit)
    return values


def _day_used(values: DayValues) -> bool:
    whole_day = values.get(ANY_SUBSTANCE)
    return bool(whole_day and whole_day[0])


def _described(value: tuple[bool, Decimal | None, str] | None, *, whole_day: bool) -> str | None:
    """A row's value as the audit trail shows it ("used (6 standard drinks)"); None for no row."""
    if value is None:
        return None
    used, amount, unit = value
    if whole_day:
        return str(DayStatus.USED.label if used else DayStatus.NO_USE.label)
    if not used:
        return "not used"
    if amount is None:
        return "used (amount not given)"
    return f"used ({format(amount.normalize(), 'f')} {Unit(unit).label})"


def _changes(before: DayValues, after: DayValues) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for substance in [ANY_SUBSTANCE, *Substance.values]:
        old, new = before.get(substance), after.get(substance)
        if old != new:
            key = "day" if substance == ANY_SUBSTANCE else substance
            whole_day = substance == ANY_SUBSTANCE
            changes[key] = [_described(old, whole_day=whole_day), _described(new, whole_day=whole_day)]
    return changes


@transaction.atomic
def do_record_use_days(
    client: Client,
    entries: list[DayEntry],
    *,
    source: str = Source.TLFB,
    acting_user: User | None,
    notify: bool = True,
) -> list[dt.date]:
    """Store each day as given and return the days that changed. A day set to "missing" loses its rows.

    One audit event per changed day, with the old and new value of each row. A day that turns to use after at
    least LAPSE_AFTER_ABSTINENT_DAYS recorded abstinent days raises a lapse alert (once per lapse).
    """
    today = timezone.localdate()
    for entry in entries:
        problems = day_entry_problems(entry, today=today)
        if problems:
            raise ValidationError(f"{entry.date}: {problems[0][2]}")
    if len({entry.date for entry in entries}) != len(entries):
        raise ValidationError(_("Each day is given once."))
    # One writer per client at a time, so that two saves cannot both decide a lapse is new.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    rows: dict[dt.date, dict[str, UseDay]] = defaultdict(dict)
    for row in UseDay.objects.filter(client=client, date__in=[e.date for e in entries]):
        rows[row.date][row.substance] = row
    now = timezone.now()
    changed: list[dt.date] = []
    turned_to_use: list[dt.date] = []
    for entry in sorted(entries, key=lambda e: e.date):
        existing = rows.get(entry.date, {})
        before = {s: (r.used, r.amount, r.unit) for s, r in existing.items()}
        after = _values_of(entry)
        if before == after:
            continue
        day_row = _apply(client, entry.date, existing, before, after, source=source, user=acting_user, now=now)
        record_event(
            EventType.MEASURE_RECORDED,
            actor=acting_user,
            client=client,
            obj=day_row,
            changes=_changes(before, after),
            extra={"kind": "use_day", "date": entry.date.isoformat(), "source": source},
        )
        changed.append(entry.date)
        if _day_used(after) and not _day_used(before):
            turned_to_use.append(entry.date)
    # Abstinent days entered after a day of use (backfilling a calendar) can complete the run before it.
    abstinent = [e.date for e in entries if e.date in changed and not _day_used(_values_of(e))]
    for day in sorted(set(turned_to_use) | _next_use_days_after(client, abstinent)):
        _raise_lapse_alert_if_due(client, day, notify=notify)
    return changed


def _next_use_days_after(client: Client, days: list[dt.date]) -> set[dt.date]:
    """For each day, the next recorded day after it when that day is a day of use."""
    if not days:
        return set()
    recorded = UseDay.objects.whole_days().filter(
        client=client, date__gt=min(days), date__lte=max(days) + dt.timedelta(days=_LAPSE_LOOKBACK_DAYS)
    )
    following = list(recorded.order_by("date").values_list("date", "used"))
    found = set()
    for day in days:
        next_day = next(((d, used) for d, used in following if d > day), None)
        if next_day is not None and next_day[1]:
            found.add(next_day[0])
    return found


def _apply(
    client: Client,
    date: dt.date,
    existing: dict[str, UseDay],
    before: DayValues,
    after: DayValues,
    *,
    source: str,
    user: User | None,
    now: dt.datetime,
) -> UseDay | None:
    """Make the day's rows match `after`. Returns the whole-day row, for the audit event: the deleted row when the
    day was set back to missing, None when it had none."""
    day_row = existing.get(ANY_SUBSTANCE)
    gone = [row.pk for substance, row in existing.items() if substance not in after]
    for substance, (used, amount, unit) in after.items():
        row = existing.get(substance)
        if row is None:
            row = UseDay.objects.create(
                organization_id=client.organization_id,
                client=client,
                date=date,
                substance=substance,
                used=used,
                amount=amount,
                unit=unit,
                source=source,
                recorded_by=user,
                recorded_at=now,
            )
        elif before[substance] != (used, amount, unit):
            row.used, row.amount, row.unit = used, amount, unit
            row.source, row.recorded_by, row.recorded_at = source, user, now
            row.save(update_fields=["used", "amount", "unit", "source", "recorded_by", "recorded_at"])
        if substance == ANY_SUBSTANCE:
            day_row = row
    if gone:
        UseDay.objects.filter(pk__in=gone).delete()
    return day_row


def _raise_lapse_alert_if_due(client: Client, day: dt.date, *, notify: bool) -> None:
    """Raise a lapse alert when `day` starts use after a run of recorded abstinent days.

    The days of use that follow it belong to the same lapse: when one of them already raised the alert (it was
    entered first), this day raises none.
    """
    whole_days = UseDay.objects.whole_days().filter(client=client)
    history = dict(
        whole_days.filter(date__gte=day - dt.timedelta(days=_LAPSE_LOOKBACK_DAYS), date__lt=day).values_list(
            "date", "used"
        )
    )
    run = abstinent_days_before(day, history)
    if run < LAPSE_AFTER_ABSTINENT_DAYS:
        return
    day_row = whole_days.get(date=day)
    if day_row.lapse_alert_id is not None or _lapse_already_alerted_after(client, day):
        return
    used = [
        str(Substance(s).label)
        for s in UseDay.objects.filter(client=client, date=day, used=True)
        .exclude(substance=ANY_SUBSTANCE)
        .values_list("substance", flat=True)
    ]
    detail = _("Use on %(date)s (%(what)s) after %(run)s consecutive abstinent days.") % {
        "date": day.isoformat(),
        "what": ", ".join(used) or _("substance not recorded"),
        "run": run,
    }
    alert = raise_alert(client, AlertRule.LAPSE, detail=detail, notify=notify)
    day_row.lapse_alert = alert
    day_row.save(update_fields=["lapse_alert"])


def _lapse_already_alerted_after(client: Client, day: dt.date) -> bool:
    """Whether a day of the same run of use, after `day`, already carries the lapse alert."""
    following = (
        UseDay.objects.whole_days()
        .filter(client=client, date__gt=day, date__lte=day + dt.timedelta(days=_LAPSE_LOOKBACK_DAYS))
        .order_by("date")
        .values_list("date", "used", "lapse_alert_id")
    )
    expected = day + dt.timedelta(days=1)
    for date, used, alert_id in following:
        if date != expected or not used:
            return False
        if alert_id is not None:
            return True
        expected += dt.timedelta(days=1)
    return False


def _check_in_values(check_in: CheckIn) -> dict[str, Any]:
    return {name: getattr(check_in, name) for name in CHECK_IN_FIELDS}


@transaction.atomic
def do_record_check_in(
    client: Client, data: dict[str, Any], *, acting_user: User | None, notify: bool = True
) -> tuple[CheckIn, bool]:
    """Store the day's check-in, or change the one already there; returns it and whether it is new.

    When the answer about use is new or changed, the day's use rows are set from it: the substances named are
    used (keeping any amount recorded earlier), the others asked about that day are not.
    """
    Client.objects.select_for_update().filter(pk=client.pk).first()
    person = data.get("person")
    if person is not None and person.client_id != client.pk:
        raise ValidationError({"person": _("Choose someone from this client's people.")})
    used = bool(data["used"])
    values = {
        "mood": data.get("mood"),
        "craving": data.get("craving"),
        "used": used,
        "substances": [s for s in Substance.values if s in (data.get("substances") or [])] if used else [],
        "interpersonal_event": (data.get("interpersonal_event") or "").strip(),
        "person": person,
    }
    if values["used"] and not values["substances"]:
        raise ValidationError({"substances": _("Say what was used.")})
    check_in = CheckIn.objects.filter(client=client, date=data["date"]).first()
    created = check_in is None
    if check_in is None:
        check_in = CheckIn(organization_id=client.organization_id, client=client, date=data["date"])
        before: dict[str, Any] = {}
    else:
        before = _check_in_values(check_in)
    changes = diff_fields(before, values)
    if not changes:
        return check_in, False
    for name, value in values.items():
        setattr(check_in, name, value)
    check_in.full_clean(exclude=["organization", "client", "person", "recorded_by"])
    now = timezone.now()
    check_in.updated_at = now
    if created:
        check_in.recorded_by = acting_user
        check_in.created_at = now
        check_in.save()
    else:
        check_in.save(update_fields=[*CHECK_IN_FIELDS, "updated_at"])
    record_event(
        EventType.MEASURE_RECORDED,
        actor=acting_user,
        client=client,
        obj=check_in,
        changes=changes,
        extra={"kind": "check_in", "date": check_in.date.isoformat()},
    )
    if created or "used" in changes or "substances" in changes:
        do_record_use_days(
            client, [_day_entry_from(check_in)], source=Source.CHECK_IN, acting_user=acting_user, notify=notify
        )
    return check_in, created


def _day_entry_from(check_in: CheckIn) -> DayEntry:
    rows = {
        row.substance: row
        for row in UseDay.objects.filter(client_id=check_in.client_id, date=check_in.date).exclude(
            substance=ANY_SUBSTANCE
        )
    }
    named = set(check_in.substances)
    substances = []
    for substance in Substance.values:
        row = rows.get(substance)
        if substance in named:
            kept = row is not None and row.used
            substances.append(SubstanceEntry(substance, True, row.amount if kept else None, row.unit if kept else ""))
        elif row is not None:
            substances.append(SubstanceEntry(substance, False))
    status = DayStatus.USED if check_in.used else DayStatus.NO_USE
    return DayEntry(check_in.date, status, tuple(substances))

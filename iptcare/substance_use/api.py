"""/api/v1/use/: a client's use days, check-ins and use metrics.

The same access functions, forms and actions as the pages, so the rules and the audit trail are the same: reads
need a record the caller may open, writes need care-team membership; anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client
from iptcare.lib.api_errors import FormInvalid, validate_form
from iptcare.substance_use.actions import (
    DayEntry,
    SubstanceEntry,
    day_entry_problems,
    do_record_check_in,
    do_record_use_days,
)
from iptcare.substance_use.forms import (
    DEFAULT_SUMMARY_DAYS,
    MAX_SUMMARY_DAYS,
    ApiDayForm,
    ApiSubstanceForm,
    CheckInForm,
    WindowForm,
)
from iptcare.substance_use.models import Source
from iptcare.substance_use.schemas import (
    CheckInIn,
    CheckInOut,
    CheckInPage,
    UseDaysIn,
    UseDayWindow,
    UseMetricsOut,
    WindowParams,
)
from iptcare.substance_use.selectors import DayView, check_ins, use_summary, window_days

router = Router(tags=["substance use"])


class PageParams(Schema):
    limit: int = Field(25, ge=1, le=100, description="Page size, at most 100.")
    offset: int = Field(0, ge=0)


def _window(params: WindowParams) -> tuple[dt.date, dt.date]:
    data = {"start": params.start or "", "end": params.end or ""}
    form = WindowForm(data=data, max_days=MAX_SUMMARY_DAYS, default_days=DEFAULT_SUMMARY_DAYS)
    cleaned = validate_form(form)
    return cleaned["start"], cleaned["end"]


def _day_out(day: DayView) -> dict[str, Any]:
    substances = []
    if day.record is not None:
        for substance, use in day.record.substances.items():
            amount = float(use.amount) if use.amount is not None else None
            substances.append({"substance": substance, "used": use.used, "amount": amount, "unit": use.unit})
    return {"date": day.date, "status": day.status, "source": day.source, "substances": substances}


def _days_window(client: Client, start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"start": start, "end": end, "days": [_day_out(day) for day in window_days(client, start, end)]}


@router.get("clients/{client_id}/days", response=UseDayWindow, summary="Use days of a window, missing days included")
def list_use_days(request: HttpRequest, client_id: int, params: Query[WindowParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    start, end = _window(params)
    record_event(
        EventType.MEASURES_VIEWED,
        actor=request.user,
        client=client,
        obj=client,
        extra={"kind": "use_day", "start": start.isoformat(), "end": end.isoformat()},
    )
    return _days_window(client, start, end)


@router.put(
    "clients/{client_id}/days",
    response=UseDayWindow,
    summary="Record use days (Timeline Followback); each day given replaces what it had",
)
def put_use_days(request: HttpRequest, client_id: int, payload: UseDaysIn) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id, write=True)
    entries = _entries(payload)
    try:
        do_record_use_days(client, entries, source=Source.TLFB, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return _days_window(client, min(e.date for e in entries), max(e.date for e in entries))


def _entries(payload: UseDaysIn) -> list[DayEntry]:
    """The days as entries, validated by the same rules as the calendar page; errors are keyed like
    "days.0.substances.1.amount"."""
    errors: dict[str, list[str]] = {}
    entries: list[DayEntry] = []
    today = timezone.localdate()
    seen: set[dt.date] = set()
    for i, day in enumerate(payload.days):
        day_form = ApiDayForm(data={"date": day.date, "status": day.status})
        _collect(errors, f"days.{i}", day_form)
        items, positions = [], {}
        for j, item in enumerate(day.substances):
            form = ApiSubstanceForm(data=item.dict())
            if _collect(errors, f"days.{i}.substances.{j}", form):
                cleaned = form.cleaned_data
                items.append(SubstanceEntry(cleaned["substance"], cleaned["used"], cleaned["amount"], cleaned["unit"]))
                positions.setdefault(cleaned["substance"], j)
        if not day_form.is_valid() or len(items) != len(day.substances):
            continue
        if day.date in seen:
            errors.setdefault(f"days.{i}.date", []).append("Each day is given once.")
        seen.add(day.date)
        entry = DayEntry(day.date, day_form.cleaned_data["status"], tuple(items))
        for field, substance, message in day_entry_problems(entry, today=today):
            key = f"days.{i}.{field}" if substance is None else f"days.{i}.substances.{positions[substance]}.{field}"
            errors.setdefault(key, []).append(str(message))
        entries.append(entry)
    dates = [entry.date for entry in entries]
    if dates and (max(dates) - min(dates)).days + 1 > MAX_SUMMARY_DAYS:
        errors.setdefault("days", []).append(f"The days of one request lie within {MAX_SUMMARY_DAYS} days.")
    if errors:
        raise FormInvalid(errors)
    return entries


def _collect(errors: dict[str, list[str]], prefix: str, form: Any) -> bool:
    if form.is_valid():
        return True
    for name, messages in form.errors.items():
        errors.setdefault(f"{prefix}.{name}", []).extend(messages)
    return False


@router.get("clients/{client_id}/check-ins", response=CheckInPage, summary="List check-ins, newest first")
def list_check_ins(request: HttpRequest, client_id: int, params: Query[PageParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client, extra={"kind": "check_in"})
    found = check_ins(client)
    return {"count": found.count(), "items": list(found[params.offset : params.offset + params.limit])}


@router.post(
    "clients/{client_id}/check-ins",
    response={200: CheckInOut, 201: CheckInOut},
    summary="Record a day's check-in (201), or change the one the day has (200)",
)
def record_check_in(request: HttpRequest, client_id: int, payload: CheckInIn) -> Status:
    client = access_client_by_id(request.user, client_id, write=True)
    data = payload.dict()
    data["person"] = data.pop("person_id")
    cleaned = validate_form(CheckInForm(data=data, client=client))
    try:
        check_in, created = do_record_check_in(client, cleaned, acting_user=request.user)
    except ValidationError as error:
        raise FormInvalid.from_validation_error(error) from None
    return Status(201 if created else 200, check_ins(client).get(pk=check_in.pk))


@router.get("clients/{client_id}/metrics", response=UseMetricsOut, summary="Use metrics for a window")
def use_metrics(request: HttpRequest, client_id: int, params: Query[WindowParams]) -> dict[str, Any]:
    client = access_client_by_id(request.user, client_id)
    start, end = _window(params)
    summary = use_summary(client, start, end)
    record_event(
        EventType.MEASURES_VIEWED,
        actor=request.user,
        client=client,
        obj=client,
        extra={"kind": "use_metrics", "start": start.isoformat(), "end": end.isoformat()},
    )
    m = summary.metrics
    return {
        "start": m.start,
        "end": m.end,
        "days_in_window": m.days_in_window,
        "days_recorded": m.days_recorded,
        "days_missing": m.days_missing,
        "abstinent_days": m.abstinent_days,
        "use_days": m.use_days,
        "percent_days_abstinent": m.percent_days_abstinent,
        "percent_recorded_days_abstinent": m.percent_recorded_days_abstinent,
        "drinking_days": m.drinking_days,
        "drinking_days_without_amount": m.drinking_days_without_amount,
        "heavy_drinking_days": m.heavy_drinking_days,
        "heavy_drinking_threshold": m.heavy_drinking.drinks,
        "heavy_drinking_rule": m.heavy_drinking.note,
        "drinks_per_drinking_day": m.drinks_per_drinking_day,
        "days_of_use": [{"substance": s, "days": n} for s, n in m.days_of_use.items()],
        "current_streak": {"days": summary.streak.days, "as_of": summary.streak.as_of},
    }

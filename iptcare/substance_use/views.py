"""Substance use pages: the summary with its calendar, Timeline Followback entry, and daily check-ins."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from iptcare.accounts.access import require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import access_client_by_id
from iptcare.clients.models import Client, Substance
from iptcare.lib.paging import paginate
from iptcare.substance_use.actions import do_record_check_in, do_record_use_days
from iptcare.substance_use.charts import legend_swatch, use_calendar
from iptcare.substance_use.forms import (
    DEFAULT_CALENDAR_DAYS,
    DEFAULT_SUMMARY_DAYS,
    MAX_CALENDAR_DAYS,
    MAX_SUMMARY_DAYS,
    CalendarForm,
    CheckInForm,
    WindowForm,
)
from iptcare.substance_use.models import CheckIn, Source
from iptcare.substance_use.selectors import calendar_substances, calendar_units, check_ins, use_summary, window_days

RECENT_CHECK_INS = 7


def _can_write(request: HttpRequest, client: Client) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=client.pk).exists()


@require_staff
def use_overview(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    window_form = WindowForm(request.GET or None, max_days=MAX_SUMMARY_DAYS, default_days=DEFAULT_SUMMARY_DAYS)
    start, end = window_form.window()
    summary = use_summary(client, start, end)
    record_event(
        EventType.MEASURES_VIEWED,
        actor=request.user,
        client=client,
        obj=client,
        extra={"kind": "use", "start": start.isoformat(), "end": end.isoformat()},
    )
    metrics = summary.metrics
    context = {
        "client": client,
        "window_form": window_form,
        "start": start,
        "end": end,
        "metrics": metrics,
        "streak": summary.streak,
        "days": summary.days,
        "calendar": use_calendar(summary.days),
        "legend": [
            (legend_swatch("no_use"), _("No use (abstinent)")),
            (legend_swatch("used"), _("Use")),
            (
                legend_swatch("heavy"),
                _("Heavy drinking day (%(n)s or more standard drinks)") % {"n": metrics.heavy_drinking.drinks},
            ),
            (legend_swatch("missing"), _("Not recorded (missing, not counted as abstinent)")),
        ],
        "days_of_use": [(Substance(s).label, n) for s, n in metrics.days_of_use.items()],
        "recent_check_ins": list(check_ins(client)[:RECENT_CHECK_INS]),
        "open_alerts": list(client.alerts.open().select_related("administration").order_by("-raised_at")),
        "can_write": _can_write(request, client),
        "calendar_query": urlencode(
            {"start": max(start, end - dt.timedelta(days=DEFAULT_CALENDAR_DAYS - 1)), "end": end}
        ),
    }
    return render(request, "substance_use/overview.html", context)


@require_staff
def use_calendar_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """Timeline Followback for a past window of at most 31 days (a week by default)."""
    client = access_client_by_id(request.user, client_id, write=True)
    window_form = WindowForm(request.GET or None, max_days=MAX_CALENDAR_DAYS, default_days=DEFAULT_CALENDAR_DAYS)
    start, end = window_form.window()
    added = [s for s in request.GET.getlist("add") if s in Substance.values]
    days = window_days(client, start, end)
    substances = calendar_substances(client, days, added)
    form = CalendarForm(request.POST or None, days=days, substances=substances, units=calendar_units(days, substances))
    if request.method == "POST":
        if window_form.is_bound and not window_form.is_valid():
            form.add_error(None, _("Choose a valid window of days before saving."))
        elif form.is_valid():
            try:
                changed = do_record_use_days(client, form.entries(), source=Source.TLFB, acting_user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext("Saved %(n)s changed day.", "Saved %(n)s changed days.", len(changed))
                        % {"n": len(changed)},
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(request.get_full_path())
    record_event(
        EventType.MEASURES_VIEWED,
        actor=request.user,
        client=client,
        obj=client,
        extra={"kind": "use_day", "start": start.isoformat(), "end": end.isoformat()},
    )
    length = (end - start).days + 1
    today = timezone.localdate()
    base = reverse("use_calendar", kwargs={"client_id": client.pk})

    def window_url(first: dt.date, last: dt.date) -> str:
        return f"{base}?{urlencode([('start', first), ('end', last), *(('add', s) for s in added)])}"

    context = {
        "client": client,
        "window_form": window_form,
        "form": form,
        "start": start,
        "end": end,
        "added": added,
        "previous_url": window_url(start - dt.timedelta(days=length), start - dt.timedelta(days=1)),
        "next_url": (
            window_url(end + dt.timedelta(days=1), min(end + dt.timedelta(days=length), today)) if end < today else ""
        ),
        "addable": [(value, label) for value, label in Substance.choices if value not in substances],
    }
    return render(request, "substance_use/calendar.html", context)


@require_staff
def check_in_list(request: HttpRequest, client_id: int) -> HttpResponse:
    client = access_client_by_id(request.user, client_id)
    page = paginate(request, check_ins(client), settings.PAGE_SIZE)
    record_event(EventType.MEASURES_VIEWED, actor=request.user, client=client, obj=client, extra={"kind": "check_in"})
    context = {"client": client, "page": page, "can_write": _can_write(request, client)}
    return render(request, "substance_use/check_ins.html", context)


@require_staff
def check_in_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    """Record the check-in of a day (today by default, or ?date=), or change the one the day has."""
    client = access_client_by_id(request.user, client_id, write=True)
    day = _date_param(request.GET.get("date")) or timezone.localdate()
    existing = CheckIn.objects.filter(client=client, date=day).first()
    initial = (
        {
            "date": existing.date,
            "mood": existing.mood,
            "craving": existing.craving,
            "used": existing.used,
            "substances": existing.substances,
            "interpersonal_event": existing.interpersonal_event,
            "person": existing.person_id,
        }
        if existing
        else {"date": day}
    )
    form = CheckInForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _check_in, created = do_record_check_in(client, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Check-in saved.") if created else _("Check-in updated."))
            return redirect("check_in_list", client_id=client.pk)
    record_event(
        EventType.MEASURES_VIEWED,
        actor=request.user,
        client=client,
        obj=existing or client,
        extra={"kind": "check_in", "date": day.isoformat()},
    )
    return render(request, "substance_use/check_in_form.html", {"client": client, "form": form, "existing": existing})


def _date_param(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if day <= timezone.localdate() else None

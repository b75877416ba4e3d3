"""Forms for the use pages: a window of days, the Timeline Followback calendar, the check-in. The API uses them too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.clients.models import Client, Substance
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, day_entry_problems
from iptcare.substance_use.models import DayStatus, Unit
from iptcare.substance_use.selectors import DayView

# The longest window the use page and the API summarize, and the longest the calendar edits at once.
MAX_SUMMARY_DAYS = 366
MAX_CALENDAR_DAYS = 31
DEFAULT_SUMMARY_DAYS = 28
DEFAULT_CALENDAR_DAYS = 7


def amount_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal("9999.99"), max_digits=6, decimal_places=2, required=False, **kwargs
    )


class WindowForm(forms.Form):
    """A window of past days. Either end may be left out: `end` defaults to today, `start` to `default_days`
    before it."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, max_days: int, default_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_days, self.default_days = max_days, default_days
        self.today = timezone.localdate()
        self.default_window = (self.today - dt.timedelta(days=default_days - 1), self.today)
        self.fields["start"].initial, self.fields["end"].initial = self.default_window

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - dt.timedelta(days=self.default_days - 1)
        if end > self.today:
            self.add_error("end", _("The window cannot end in the future."))
        elif start > end:
            self.add_error("start", _("The window starts after it ends."))
        elif (end - start).days + 1 > self.max_days:
            self.add_error("start", _("Choose a window of at most %(days)s days.") % {"days": self.max_days})
        else:
            cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def window(self) -> tuple[dt.date, dt.date]:
        """The window asked for when it is valid, else the default one (the form then shows why)."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_window


@dataclass(frozen=True)
class Column:
    """A substance column of the calendar."""

    substance: str
    label: str
    # The unit shown next to each amount when it is fixed (standard drinks for alcohol); others are chosen above.
    unit: str


STATUS_CHOICES = [("", _("Not recorded")), (DayStatus.NO_USE, _("No use")), (DayStatus.USED, _("Used"))]


class CalendarForm(forms.Form):
    """The Timeline Followback grid: one row per day, one column per substance.

    Each row has the day's status, and per substance a "used" box and an amount; each column other than alcohol
    (always in standard drinks) has its unit. Ticking a substance records the day as used. "Not recorded" with
    nothing ticked leaves the day missing, and removes an earlier entry for it.
    """

    def __init__(
        self, *args: Any, days: list[DayView], substances: list[str], units: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.days, self.substances = days, substances
        for substance in substances:
            if substance != Substance.ALCOHOL:
                self.fields[f"unit_{substance}"] = forms.ChoiceField(
                    label=_("%(substance)s: unit") % {"substance": Substance(substance).label},
                    choices=[c for c in Unit.choices if c[0] != Unit.STANDARD_DRINKS],
                    initial=units.get(substance),
                    required=False,
                )
        for day in days:
            when = date_format(day.date, "D j M Y")
            self.fields[self._name(day, "status")] = forms.ChoiceField(
                label=_("%(day)s: status") % {"day": when},
                choices=STATUS_CHOICES,
                required=False,
                initial="" if day.status == DayStatus.MISSING else day.status,
            )
            for substance in substances:
                use = day.record.substances.get(substance) if day.record else None
                used = bool(use and use.used)
                label = Substance(substance).label
                self.fields[self._name(day, substance, "used")] = forms.BooleanField(
                    label=_("%(substance)s used on %(day)s") % {"substance": label, "day": when},
                    required=False,
                    initial=used,
                )
                self.fields[self._name(day, substance, "amount")] = amount_field(
                    label=_("%(substance)s amount on %(day)s") % {"substance": label, "day": when},
                    initial=use.amount if used and use else None,
                    widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
                )
        self._entries: list[DayEntry] = []

    @staticmethod
    def _name(day: DayView, *parts: str) -> str:
        return "_".join([f"d{day.date:%Y%m%d}", *parts])

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields row by row, for the template: the day, its status, and per column (column, used, amount)."""
        columns = self.columns()
        return [
            {
                "day": day,
                "status": self[self._name(day, "status")],
                "cells": [
                    (
                        column,
                        self[self._name(day, column.substance, "used")],
                        self[self._name(day, column.substance, "amount")],
                    )
                    for column in columns
                ],
            }
            for day in self.days
        ]

    def columns(self) -> list[Column]:
        return [
            Column(
                substance,
                str(Substance(substance).label),
                str(Unit.STANDARD_DRINKS.label) if substance == Substance.ALCOHOL else "",
            )
            for substance in self.substances
        ]

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[f"unit_{s}"] for s in self.substances if s != Substance.ALCOHOL]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        self._entries = []
        for day in self.days:
            status_name = self._name(day, "status")
            # A row the browser did not send is left as it was, never cleared.
            if status_name not in self.data:
                continue
            entry = self._entry(day, cleaned)
            if entry is None:
                continue
            problems = day_entry_problems(entry, today=today)
            for field, substance, message in problems:
                if substance is None or field not in ("amount", "unit"):
                    self.add_error(status_name, message)
                elif field == "unit":
                    self.add_error(f"unit_{substance}", message)
                else:
                    self.add_error(self._name(day, substance, "amount"), message)
            if not problems:
                self._entries.append(entry)
        return cleaned

    def _entry(self, day: DayView, cleaned: dict[str, Any]) -> DayEntry | None:
        status = cleaned.get(self._name(day, "status"), "")
        items = []
        for substance in self.substances:
            amount_name = self._name(day, substance, "amount")
            if amount_name in self.errors:
                return None
            used = bool(cleaned.get(self._name(day, substance, "used")))
            amount = cleaned.get(amount_name)
            unit = Unit.STANDARD_DRINKS if substance == Substance.ALCOHOL else cleaned.get(f"unit_{substance}", "")
            items.append(SubstanceEntry(substance, used, amount, unit if amount is not None else ""))
        if not status:
            if any(item.used for item in items):
                status = DayStatus.USED
            else:
                for item in items:
                    if item.amount is not None:
                        self.add_error(
                            self._name(day, item.substance, "amount"),
                            _("Tick “used”, or clear the amount."),
                        )
                        return None
                return DayEntry(day.date, DayStatus.MISSING)
        return DayEntry(day.date, status, tuple(items))

    def entries(self) -> list[DayEntry]:
        return self._entries


class CheckInForm(forms.Form):
    """A daily check-in, entered by staff with or for the client."""

    date = forms.DateField(label=_("Day"), widget=DateInput())
    mood = forms.IntegerField(
        label=_("Mood"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=_("0 = very low, 10 = very good. Leave empty if the client did not answer."),
    )
    craving = forms.IntegerField(
        label=_("Craving"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=_("0 = none, 10 = the strongest craving. Leave empty if the client did not answer."),
    )
    used = forms.NullBooleanField(
        label=_("Used alcohol or drugs that day?"),
        widget=forms.RadioSelect(choices=[("True", _("Yes")), ("False", _("No"))]),
    )
    substances = forms.MultipleChoiceField(
        label=_("What was used"),
        choices=Substance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interpersonal_event = forms.CharField(
        label=_("Interpersonal event"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Something that happened with someone that day: a dispute, a loss, support, a new contact."),
    )
    person = forms.ModelChoiceField(
        label=_("Person involved"),
        queryset=None,
        required=False,
        help_text=_("From the people in the client's life."),
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["person"].queryset = client.people.order_by("name", "id")

    def clean_date(self) -> dt.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("A check-in cannot be for a day in the future."))
        return day

    def clean_used(self) -> bool:
        used = self.cleaned_data.get("used")
        if used is None:
            raise forms.ValidationError(_("Answer yes or no: a day is never assumed to be without use."))
        return used

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        used, substances = cleaned.get("used"), cleaned.get("substances") or []
        if used is True and not substances:
            self.add_error("substances", _("Say what was used."))
        if used is False and substances:
            self.add_error("substances", _("The answer is no use: clear these, or answer yes."))
        return cleaned


class ApiDayForm(forms.Form):
    date = forms.DateField()
    status = forms.ChoiceField(choices=DayStatus.choices)


class ApiSubstanceForm(forms.Form):
    substance = forms.ChoiceField(choices=Substance.choices)
    used = forms.BooleanField(required=False)
    amount = amount_field()
    unit = forms.ChoiceField(choices=[("", "—"), *Unit.choices], required=False)

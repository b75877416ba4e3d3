"""Forms for the interpersonal inventory and the closeness circle's dates. The API validates through them too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.clients.models import Person
from iptcare.ipt.actions_inventory import DUPLICATE_DATE, ENTRY_FIELDS
from iptcare.ipt.circle import DATES_REVERSED
from iptcare.ipt.models import Episode, Expectations, InventoryEntry

RING_CHOICES = [
    (1, _("1: closest")),
    (2, _("2: close")),
    (3, _("3: less close")),
    (4, _("4: distant, but still important")),
]
KNOWS_CHOICES = [("unknown", _("Not recorded")), ("true", _("Yes")), ("false", _("No"))]


class InventoryEntryForm(forms.ModelForm):
    """One person in the inventory as of one date. Editing keeps the person: a different person is a new entry."""

    ring = forms.TypedChoiceField(
        label=_("Closeness ring"),
        choices=RING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Where the client places this person in the circle, as of this date."),
    )

    class Meta:
        model = InventoryEntry
        fields = ["person", *ENTRY_FIELDS]
        widgets = {
            "recorded_on": DateInput(),
            "knows_about_problems": forms.NullBooleanSelect(),
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in (
                    "good_things",
                    "not_so_good",
                    "can_talk_about",
                    "cannot_talk_about",
                    "client_expects",
                    "they_expect",
                    "conflict_pattern",
                    "change_since_onset",
                    "part_in_triggers",
                )
            },
        }
        help_texts = {
            "recorded_on": _("The date this picture of the relationship is true for; not in the future."),
            "conflict_pattern": _("How disagreements go, if they do. Leave blank when there is no conflict."),
        }

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        person = self.fields["person"]
        person.queryset = Person.objects.filter(client_id=episode.client_id).order_by("name", "id")
        person.empty_label = _("Choose a person")
        person.help_text = _("Someone in the client's life; add new people on the client's record.")
        if self.instance.pk:
            person.disabled = True
            person.help_text = _("To record how things stand on another date, record a new entry instead.")
        self.fields["expectations_met"].choices = [("", _("Not recorded")), *Expectations.choices]
        self.fields["knows_about_problems"].widget = forms.NullBooleanSelect()
        self.fields["knows_about_problems"].widget.choices = KNOWS_CHOICES
        self.fields["recorded_on"].widget.attrs |= {
            "min": episode.client.date_of_birth.isoformat(),
            "max": timezone.localdate().isoformat(),
        }

    def clean_recorded_on(self) -> dt.date:
        recorded_on = self.cleaned_data["recorded_on"]
        if recorded_on > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if recorded_on < self.episode.client.date_of_birth:
            raise forms.ValidationError(_("The date is before the client was born."))
        return recorded_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        person, recorded_on = cleaned.get("person"), cleaned.get("recorded_on")
        if person is not None and recorded_on is not None:
            # The uniqueness constraint includes the episode, which is not a form field, so Django's own check
            # would skip it: check it here to give the message next to the date.
            taken = InventoryEntry.objects.filter(episode=self.episode, person=person, recorded_on=recorded_on)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("recorded_on", DUPLICATE_DATE)
        return cleaned


def initial_from(entry: InventoryEntry) -> dict[str, Any]:
    """A new entry starts from the person's latest one, dated today: only what changed needs typing."""
    values: dict[str, Any] = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values["recorded_on"] = timezone.localdate()
    values["person"] = entry.person_id
    return values


def entry_form_values(entry: InventoryEntry) -> dict[str, Any]:
    """An entry's stored values as the form receives them; the API's PATCH merges its changes into these."""
    values: dict[str, Any] = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    values["person"] = entry.person_id
    return values


class CircleDatesForm(forms.Form):
    """The two dates of the then-and-now view; either may be left out ("now" is then today). "Then" may not be
    after "now": the dates are not swapped silently, since every move would then read the other way round."""

    then = forms.DateField(label=_("Then"), required=False, widget=DateInput())
    now = forms.DateField(label=_("Now"), required=False, widget=DateInput())

    def _not_in_future(self, name: str) -> dt.date | None:
        day = self.cleaned_data[name]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean_then(self) -> dt.date | None:
        return self._not_in_future("then")

    def clean_now(self) -> dt.date | None:
        return self._not_in_future("now")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        then = cleaned.get("then")
        now = cleaned.get("now") or (timezone.localdate() if "now" not in self.errors else None)
        if then is not None and now is not None and then > now:
            self.add_error("then", DATES_REVERSED)
        return cleaned

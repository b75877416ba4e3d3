"""Forms for timeline events and triggers. The JSON API validates through the same forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.clients.models import Client, Person, Substance
from iptcare.ipt.models import TimelineEvent, Trigger


def _people_queryset(client: Client) -> QuerySet[Person]:
    """The client's own people: anyone else is refused as "not one of the available choices"."""
    return client.people.order_by("name", "id")


# Blank means the change was in use in general, not in one substance.
SUBSTANCE_CHOICES = [("", _("Use in general")), *Substance.choices]
SUBSTANCE_WITHOUT_CHANGE = _("Choose the change in use first: the substance says which use changed.")


class TimelineEventForm(forms.ModelForm):
    """One life event. Its date is neither in the future nor before the client was born; a change in use may
    name the substance it was in."""

    substance = forms.ChoiceField(
        label=_("Substance"),
        choices=SUBSTANCE_CHOICES,
        required=False,
        help_text=_("Which substance the change in use was in; leave at “use in general” when it was use overall."),
    )
    mood = forms.IntegerField(
        label=_("Mood (0–10)"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=_("How the client remembers feeling then: 0 = the worst, 10 = the best."),
    )

    class Meta:
        model = TimelineEvent
        fields = [
            "date",
            "date_is_approximate",
            "event_type",
            "title",
            "people",
            "mood",
            "use_change",
            "substance",
            "note",
        ]
        widgets = {
            "date": DateInput(),
            "people": forms.CheckboxSelectMultiple,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "date_is_approximate": _('Tick when the client remembers only roughly ("summer 2019"): give a best guess.'),
            "people": _("People from the client's record; add someone there first if they are missing."),
            "event_type": _("Start with when the problems began (onset), then the events around it."),
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["people"].queryset = _people_queryset(client)
        self.fields["date"].widget.attrs |= {
            "min": client.date_of_birth.isoformat(),
            "max": timezone.localdate().isoformat(),
        }

    def clean_date(self) -> dt.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The timeline holds what has happened: the date cannot be in the future."))
        if date < self.client.date_of_birth:
            raise forms.ValidationError(_("The date is before the client was born."))
        return date

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("substance") and not cleaned.get("use_change") and "use_change" not in self.errors:
            self.add_error("substance", SUBSTANCE_WITHOUT_CHANGE)
        return cleaned


class TriggerForm(forms.ModelForm):
    class Meta:
        model = Trigger
        fields = [
            "trigger_type",
            "description",
            "people",
            "places",
            "feelings",
            "risk_level",
            "coping_response",
            "is_active",
        ]
        widgets = {"people": forms.CheckboxSelectMultiple, "coping_response": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "trigger_type": _(
                "External triggers are people, places, times and paydays; internal ones are feelings, thoughts "
                "and HALT: hungry, angry, lonely, tired."
            ),
            "people": _("People from the client's record who are part of this trigger."),
            "places": _("e.g. the bar on Main Street; the old neighbourhood."),
            "feelings": _("e.g. lonely, ashamed, restless."),
            "coping_response": _("What the client will do instead, matched to this trigger."),
            "is_active": _("Untick when it no longer applies; it stays on the list as history."),
        }

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["people"].queryset = _people_queryset(client)
        if not self.instance.pk:
            # A new trigger is always current; it is retired later from its own page.
            del self.fields["is_active"]

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()


def event_form_values(event: TimelineEvent) -> dict[str, Any]:
    """An event's current values as the form receives them; the API's PATCH merges the sent fields into these."""
    values = {name: getattr(event, name) for name in TimelineEventForm._meta.fields if name != "people"}
    return values | {"people": [person.pk for person in event.people.all()]}


def trigger_form_values(trigger: Trigger) -> dict[str, Any]:
    values = {name: getattr(trigger, name) for name in TriggerForm._meta.fields if name != "people"}
    return values | {"people": [person.pk for person in trigger.people.all()]}

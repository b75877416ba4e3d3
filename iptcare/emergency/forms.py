"""Forms for breaking the glass, reviewing an emergency access, the review queue's filter and the settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iptcare.emergency.models import (
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    EmergencyReason,
    ReviewOutcome,
)

UNKNOWN_CLIENT_MESSAGE = _("No client of your organization has this identifier. Check it and try again.")
MIN_JUSTIFICATION_LENGTH = 20
MAX_JUSTIFICATION_LENGTH = 2000


class EmergencyAccessForm(forms.Form):
    identifier = forms.CharField(
        label=_("Client identifier"),
        max_length=40,
        help_text=_("The client's record number, exactly as it is written on the record (capitals do not matter)."),
        error_messages={"required": _("Enter the client's identifier.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=EmergencyReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the reason for the emergency access."),
            "invalid_choice": _("Choose one of the reasons listed."),
        },
    )
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_JUSTIFICATION_LENGTH,
        help_text=_(
            "Say what the emergency is and why the care team cannot help now. The care team and the admins read "
            "this; keep clinical detail to what explains the need."
        ),
        error_messages={"required": _("Say why you need this record now.")},
    )

    def clean_identifier(self) -> str:
        return self.cleaned_data["identifier"].strip()

    def clean_justification(self) -> str:
        text = " ".join(self.cleaned_data["justification"].split())
        if len(text) < MIN_JUSTIFICATION_LENGTH:
            raise forms.ValidationError(
                _(
                    "Say in at least %(count)d characters why you need this record now and why the care team "
                    "cannot help."
                ),
                params={"count": MIN_JUSTIFICATION_LENGTH},
                code="too_short",
            )
        return self.cleaned_data["justification"].strip()


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the access was appropriate.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the access was not appropriate: what follows up, and who does it."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["note"] = (cleaned.get("note") or "").strip()
        if cleaned.get("outcome") == ReviewOutcome.NOT_APPROPRIATE and not cleaned["note"]:
            self.add_error("note", _("Say what follows up when the access was not appropriate."))
        return cleaned


class QueueFilterForm(forms.Form):
    STATUSES = [
        ("", _("All, not yet reviewed first")),
        ("unreviewed", _("Not yet reviewed")),
        ("reviewed", _("Reviewed")),
    ]
    status = forms.ChoiceField(label=_("Show"), choices=STATUSES, required=False)


class EmergencySettingsForm(forms.Form):
    duration_minutes = forms.IntegerField(
        label=_("How long one emergency access lasts, in minutes"),
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        help_text=_(
            "From 15 minutes to 1440 (24 hours). The usual choice is 240 (4 hours). A change applies to "
            "emergency accesses opened from now on."
        ),
        error_messages={
            "required": _("Enter a number of minutes."),
            "invalid": _("Enter a whole number of minutes."),
            "min_value": _("An emergency access lasts at least %(limit_value)s minutes."),
            "max_value": _("An emergency access lasts at most %(limit_value)s minutes (24 hours)."),
        },
    )

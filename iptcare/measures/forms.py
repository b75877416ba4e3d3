"""Forms built from instrument definitions, and the alert-closing form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iptcare.measures.instruments.base import Instrument, Item
from iptcare.measures.models import Administration
from iptcare.measures.scoring import AnswerError, asked_items, validate


def _skip_hint(item: Item) -> str:
    condition = item.asked_if
    if condition is None:
        return ""
    target = condition.on.removeprefix("item:")
    return str(_("Ask only if item %(item)s is “%(value)s”.") % {"item": target, "value": condition.value})


class InstrumentForm(forms.Form):
    """One radio group per item; an item left blank is stored as not answered."""

    def __init__(self, *args: Any, instrument: Instrument, for_client: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.for_client = for_client
        for item in instrument.items:
            # A clinician sees the skip rule; a client answering alone is told which answers lead on.
            hint = _skip_hint(item)
            if for_client and hint:
                hint = _("Answer only if you answered “%(value)s” to question %(item)s.") % {
                    "value": item.asked_if.value,  # type: ignore[union-attr]
                    "item": item.asked_if.on.removeprefix("item:"),  # type: ignore[union-attr]
                }
            # Every field is optional to the form, since a blank is recorded as missing; the pages say so once, and
            # only an item the instrument itself makes optional (the PHQ-9 difficulty question) is marked here.
            if not item.required:
                optional = _("Optional: not counted in the total.") if not item.scored else _("Optional.")
                hint = f"{optional} {hint}".strip()
            self.fields[f"item_{item.key}"] = forms.ChoiceField(
                label=f"{item.key}. {item.text}",
                choices=[(str(option.value), option.label) for option in item.options],
                widget=forms.RadioSelect,
                required=False,
                help_text=hint,
            )

    def answers(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in self.instrument.items:
            raw = self.cleaned_data.get(f"item_{item.key}") or None
            numeric = all(isinstance(v, int) for v in item.allowed)
            values[item.key] = int(raw) if raw is not None and numeric else raw
        return values

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                validate(self.instrument, self.answers())
            except AnswerError as error:
                raise forms.ValidationError(str(error)) from None
            if not self.for_client:
                self._require_safety_answers()
        return cleaned

    def _require_safety_answers(self) -> None:
        """In session a clinician asks every safety question; a client answering alone may skip (and is followed up)."""
        answers = self.answers()
        for item in asked_items(self.instrument, answers):
            needed = item.must_answer_in_session or (self.instrument.complete_in_session and item.required)
            if needed and answers[item.key] is None:
                self.add_error(
                    f"item_{item.key}", _("Ask this question and record the answer: it is needed for safety.")
                )


class CloseAlertForm(forms.Form):
    disposition = forms.CharField(
        label=_("Disposition"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was assessed, done and decided (e.g. safety plan, contact with the physician, follow-up)."),
    )
    cssrs_administration = forms.ModelChoiceField(
        label=_("C-SSRS screener"),
        queryset=Administration.objects.none(),
        required=False,
        help_text=_("The C-SSRS screener given since the alert was raised."),
    )

    def __init__(self, *args: Any, alert: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alert = alert
        if alert.needs_cssrs:
            self.fields["cssrs_administration"].required = True
            self.fields["cssrs_administration"].queryset = Administration.objects.current().filter(
                client_id=alert.client_id,
                instrument_code="C-SSRS",
                administered_at__gte=alert.raised_at,
                answered_by="clinician",
            )
            self.fields["cssrs_administration"].label_from_instance = lambda a: (
                f"{a.administered_at:%Y-%m-%d %H:%M} — {a.band_label or _('incomplete')}"
            )
        else:
            del self.fields["cssrs_administration"]


class SelfReportLinkForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    send_email = forms.BooleanField(label=_("E-mail the link to the client"), required=False)

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        from iptcare.measures.instruments import INSTRUMENTS

        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["instrument"].choices = [(code, f"{code} — {i.name}") for code, i in INSTRUMENTS.items()]
        if client.email:
            self.fields["send_email"].help_text = _("To %(email)s. Otherwise copy the link and give it to them.") % {
                "email": client.email
            }
        else:
            del self.fields["send_email"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned.setdefault("send_email", False)
        return cleaned


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(label=_("Questionnaire"))
    kind = forms.ChoiceField(label=_("When"))
    interval_days = forms.IntegerField(
        label=_("Every how many days"), min_value=1, max_value=365, required=False, help_text=_("For “Every N days”.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from iptcare.measures.instruments import INSTRUMENTS
        from iptcare.measures.models import ScheduleKind

        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(code, code) for code in INSTRUMENTS]
        self.fields["kind"].choices = ScheduleKind.choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == "every_n_days" and not cleaned.get("interval_days"):
            self.add_error("interval_days", _("Give the number of days between questionnaires."))
        return cleaned


class MeasureSettingsForm(forms.Form):
    pacs_alert_at = forms.IntegerField(
        label=_("PACS total that raises a high-craving alert"), min_value=1, max_value=30, initial=15
    )
    deterioration_alerts = forms.BooleanField(label=_("Alert on reliable deterioration"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from iptcare.measures.instruments import INSTRUMENTS

        super().__init__(*args, **kwargs)
        for code, instrument in INSTRUMENTS.items():
            if instrument.method == "none":
                continue
            default = instrument.reliable_change.threshold if instrument.reliable_change else None
            self.fields[f"threshold_{code}"] = forms.DecimalField(
                label=_("%(code)s: reliable change, in points") % {"code": code},
                required=False,
                min_value=0.01,
                max_digits=5,
                decimal_places=2,
                help_text=_("Default: %(default)s") % {"default": default if default is not None else _("none")},
            )

    def thresholds(self) -> dict[str, float]:
        return {
            name.removeprefix("threshold_"): float(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("threshold_") and value is not None
        }

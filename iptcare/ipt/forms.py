"""Forms for opening an episode, its status, and the assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.access import PRIMARY_THERAPIST_ROLES
from iptcare.clients.forms import DateInput, staff_with_roles
from iptcare.clients.models import Substance
from iptcare.ipt.actions_assessment import PHYSICIAN_FIELDS
from iptcare.ipt.guidance import SCREENING_BEFORE_START
from iptcare.ipt.models import OPEN_STATUSES, Assessment, EpisodeStatus, Format, SubstanceHistory


class EpisodeOpenForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    primary_therapist = forms.ModelChoiceField(label=_("Therapist"), queryset=None)  # type: ignore[arg-type]
    planned_sessions = forms.IntegerField(
        label=_("Planned sessions"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_("Leave blank for the format's usual number (individual 12, brief 8, group 8, maintenance 12)."),
    )
    session_minutes = forms.IntegerField(label=_("Session length (minutes)"), initial=50, min_value=15, max_value=180)
    start_date = forms.DateField(label=_("Start date"), initial=timezone.localdate, widget=DateInput())

    def __init__(self, *args: Any, client: Any, acting_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["primary_therapist"].queryset = staff_with_roles(client.organization, PRIMARY_THERAPIST_ROLES)
        if acting_user.has_role(*PRIMARY_THERAPIST_ROLES):
            self.fields["primary_therapist"].initial = acting_user.pk


# Completing an episode goes through its closure (progress review, plan, decision: iptcare.plans).
STATUSES_SET_BY_HAND = [(value, label) for value, label in EpisodeStatus.choices if value != EpisodeStatus.COMPLETED]


class EpisodeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Move the episode to"), choices=STATUSES_SET_BY_HAND)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ending = cleaned.get("status") not in OPEN_STATUSES
        if ending and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the episode ends here (completed, dropped out or transferred)."))
        return cleaned


class EpisodeEditForm(forms.Form):
    """What may change once the episode is open. The number of sessions changes only by renegotiation."""

    primary_therapist = forms.ModelChoiceField(label=_("Therapist"), queryset=None)  # type: ignore[arg-type]
    session_minutes = forms.IntegerField(label=_("Session length (minutes)"), min_value=15, max_value=180)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())

    def __init__(self, *args: Any, episode: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "primary_therapist": episode.primary_therapist_id,
                "session_minutes": episode.session_minutes,
                "start_date": episode.start_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["primary_therapist"].queryset = staff_with_roles(
            episode.client.organization, PRIMARY_THERAPIST_ROLES
        )


def _not_in_future(value: dt.date | None) -> dt.date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    return value


class TerminationRaisedForm(forms.Form):
    termination_raised_on = forms.DateField(label=_("Raised with the client on"), widget=DateInput())


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "mental_health_history",
            "medical_conditions",
            "housing",
            "work",
            "legal",
            "children",
            "strengths",
            "diagnosis_explained_on",
            "medications",
            "medication_assessed_on",
        ]
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 3}) for name in fields},
            "diagnosis_explained_on": DateInput(),
            "medication_assessed_on": DateInput(),
        }
        help_texts = {
            "diagnosis_explained_on": _(
                "When you told the client the diagnosis and what it means, with the PHQ-9 severity "
                "(psychoeducation, IPT initial phase)."
            ),
        }

    def __init__(self, *args: Any, episode: Any, may_record_medications: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        if not may_record_medications:
            # Medications are the physician's to record (PRODUCT.md 2.2); others see them read-only.
            for name in PHYSICIAN_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Recorded by the physician.")
        else:
            self.fields["medication_assessed_on"].help_text = _(
                "The date of your medication assessment for this episode (IPT initial phase)."
            )

    def _within_episode(self, name: str) -> dt.date | None:
        value = _not_in_future(self.cleaned_data.get(name))
        earliest = self.episode.start_date - SCREENING_BEFORE_START
        if value and value < earliest:
            raise forms.ValidationError(
                _("This is before the episode began (%(start)s); give a date from %(earliest)s.")
                % {"start": self.episode.start_date, "earliest": earliest}
            )
        return value

    def clean_diagnosis_explained_on(self) -> dt.date | None:
        return self._within_episode("diagnosis_explained_on")

    def clean_medication_assessed_on(self) -> dt.date | None:
        return self._within_episode("medication_assessed_on")

    def changed_values(self) -> dict[str, Any]:
        """The cleaned values the user may change (disabled fields are left out)."""
        return {name: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}


class SubstanceHistoryForm(forms.ModelForm):
    class Meta:
        model = SubstanceHistory
        fields = ["substance", "age_at_first_use", "pattern", "last_use", "route", "prior_treatment", "overdoses"]
        widgets = {
            "pattern": forms.Textarea(attrs={"rows": 2}),
            "prior_treatment": forms.Textarea(attrs={"rows": 2}),
            "last_use": DateInput(),
        }

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["substance"] = forms.ChoiceField(label=_("Substance"), choices=Substance.choices)

    def clean_age_at_first_use(self) -> int | None:
        age = self.cleaned_data.get("age_at_first_use")
        current_age = age_on(self.client.date_of_birth, timezone.localdate())
        if age is not None and age > current_age:
            raise forms.ValidationError(
                _("The client is %(age)d now: the age at first use cannot be higher.") % {"age": current_age}
            )
        return age

    def clean_last_use(self) -> Any:
        last_use = self.cleaned_data.get("last_use")
        if last_use and last_use > timezone.localdate():
            raise forms.ValidationError(_("The last use cannot be in the future."))
        if last_use and last_use < self.client.date_of_birth:
            raise forms.ValidationError(_("The last use cannot be before the client was born."))
        return last_use


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))

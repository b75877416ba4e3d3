"""Forms for opening an episode, its status, and the assessment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.access import PRIMARY_THERAPIST_ROLES
from iptcare.clients.forms import DateInput, staff_with_roles
from iptcare.clients.models import Substance
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


class EpisodeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Move the episode to"), choices=EpisodeStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ending = cleaned.get("status") not in OPEN_STATUSES
        if ending and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the episode ends here (completed, dropped out or transferred)."))
        return cleaned


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = [
            "mental_health_history",
            "medical_conditions",
            "medications",
            "housing",
            "work",
            "legal",
            "children",
            "strengths",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args: Any, may_record_medications: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_record_medications:
            # Medications are the physician's to record (PRODUCT.md 2.2); others see them read-only.
            self.fields["medications"].disabled = True
            self.fields["medications"].help_text = _("Recorded by the physician.")


class SubstanceHistoryForm(forms.ModelForm):
    class Meta:
        model = SubstanceHistory
        fields = ["substance", "age_at_first_use", "pattern", "last_use", "route", "prior_treatment", "overdoses"]
        widgets = {
            "pattern": forms.Textarea(attrs={"rows": 2}),
            "prior_treatment": forms.Textarea(attrs={"rows": 2}),
            "last_use": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substance"] = forms.ChoiceField(label=_("Substance"), choices=Substance.choices)

    def clean_last_use(self) -> Any:
        last_use = self.cleaned_data.get("last_use")
        if last_use and last_use > timezone.localdate():
            raise forms.ValidationError(_("The last use cannot be in the future."))
        return last_use

"""Forms for scheduling, the session note, its signatures and amendments, and the note settings.

The rules live in the actions (the *_errors functions); the forms run them too, so each problem shows next to its
field before anything is saved. The JSON API validates through the same forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import User
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES
from iptcare.clients.forms import DateInput
from iptcare.clients.models import Person
from iptcare.ipt.models import DisputeStage, Episode, ProblemArea, ProblemAreaKind
from iptcare.therapy.actions import cancel_errors, local_start
from iptcare.therapy.actions_notes import note_errors
from iptcare.therapy.models import (
    MINUTES_RANGE,
    AmendableField,
    CancelledBy,
    InterpersonalIncident,
    RiskReview,
    SessionKind,
    SessionNote,
    Technique,
)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class RuleFormMixin:
    """Puts each message of a rule function on its field, unless that field already has a problem."""

    def add_rule_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            target = field if field in self.fields else None  # type: ignore[attr-defined]
            if target is None or target not in self.errors:  # type: ignore[attr-defined]
                self.add_error(target, message)  # type: ignore[attr-defined]


def _minutes_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Length (minutes)"), min_value=MINUTES_RANGE[0], max_value=MINUTES_RANGE[1], **kwargs
    )


# ---------------------------------------------------------------------------------------------------- scheduling


class StartFieldsMixin:
    """A date and a time on the clinic's clock, read together as `scheduled_start`."""

    def start(self) -> dt.datetime:
        data = self.cleaned_data  # type: ignore[attr-defined]
        return local_start(data["date"], data["time"])


class SessionForm(StartFieldsMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    minutes = _minutes_field()
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, initial=SessionKind.SESSION)
    therapist = forms.ModelChoiceField(label=_("Therapist"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = team_therapists(episode)
        self.fields["therapist"].initial = episode.primary_therapist_id
        self.fields["minutes"].initial = episode.session_minutes


def team_therapists(episode: Episode) -> QuerySet[User]:
    """Who may hold the client's sessions: therapists and counsellors on the care team, and the primary therapist."""
    on_team = Q(care_teams__client_id=episode.client_id, memberships__role__in=PRIMARY_THERAPIST_ROLES)
    return (
        User.objects.filter(is_active=True, organization_id=episode.organization_id)
        .filter(on_team | Q(pk=episode.primary_therapist_id))
        .distinct()
        .order_by("full_name")
    )


class GenerateForm(forms.Form):
    time_of_day = forms.TimeField(
        label=_("Time of day"),
        widget=TimeInput(),
        initial=dt.time(10, 0),
        help_text=_("Every session is booked at this time; move single sessions afterwards if needed."),
    )
    include_past = forms.BooleanField(
        label=_("Also schedule dates that are already past (to record sessions held before)"), required=False
    )


class RescheduleForm(StartFieldsMixin, forms.Form):
    date = forms.DateField(label=_("New date"), widget=DateInput())
    time = forms.TimeField(label=_("New time"), widget=TimeInput())
    minutes = _minutes_field()
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    cancelled_by = forms.ChoiceField(label=_("Who cancelled"), choices=CancelledBy.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for cancelling.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        errors = cancel_errors(cancelled_by=cleaned.get("cancelled_by") or "", reason=cleaned.get("reason") or "")
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


# ---------------------------------------------------------------------------------------------------- notes


# The dispute stage's help when the focus is a role dispute: signing carries the stage to the formulation.
DISPUTE_STAGE_CARRIED = _("Signing moves the dispute's stage in the formulation (its history keeps each stage).")


class NoteForm(RuleFormMixin, forms.ModelForm):
    techniques = forms.MultipleChoiceField(
        label=_("Techniques used"),
        choices=Technique.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The last three are not IPT: a note that records one is flagged for supervision."),
    )

    class Meta:
        model = SessionNote
        fields = [
            "interval_history",
            "mood",
            "use_days",
            "use_summary",
            "problem_area",
            "dispute_stage",
            "techniques",
            "homework_reviewed",
            "homework_set",
            "risk_review",
            "risk_notes",
            "next_session_plan",
        ]
        widgets = {
            "interval_history": forms.Textarea(attrs={"rows": 6}),
            "mood": forms.NumberInput(attrs={"min": 0, "max": 10}),
            "use_days": forms.NumberInput(attrs={"min": 0}),
            "homework_reviewed": forms.Textarea(attrs={"rows": 2}),
            "homework_set": forms.Textarea(attrs={"rows": 2}),
            "risk_review": forms.RadioSelect,
            "risk_notes": forms.Textarea(attrs={"rows": 3}),
            "next_session_plan": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "interval_history": _("Events since the last session, and how each is linked to mood and to use."),
            "mood": _("0 = very low, 10 = very good."),
            "use_summary": _("In a few words: what, how much, and around which events."),
            "dispute_stage": _("Only when the focus is a role dispute."),
            "risk_notes": _("Needed for a moderate or high risk: what was found, what was done, the safety plan."),
        }

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = self.fields["problem_area"]
        areas.queryset = ProblemArea.objects.filter(formulation__episode=episode).select_related("dispute_with")
        areas.empty_label = _("No particular focus")
        self.fields["dispute_stage"].choices = [("", _("Not a role dispute")), *DisputeStage.choices]
        if self._focus_is_role_dispute():
            # do_sign_note carries the stage to the formulation (actions_notes._carry_dispute_stage).
            self.fields["dispute_stage"].help_text = DISPUTE_STAGE_CARRIED
        self.fields["risk_review"].choices = list(RiskReview.choices)
        self.fields["risk_review"].required = False

    def _focus_is_role_dispute(self) -> bool:
        """Whether the focus shown (as posted, else as saved or pre-filled) is a role dispute."""
        field = self["problem_area"]
        focus = field.data if self.is_bound else field.initial
        focus = getattr(focus, "pk", focus)
        if focus in (None, ""):
            return False
        try:
            area = self.fields["problem_area"].queryset.filter(pk=focus).first()
        except (TypeError, ValueError):
            return False
        return area is not None and area.kind == ProblemAreaKind.ROLE_DISPUTE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            note_errors(
                problem_area=cleaned.get("problem_area"),
                dispute_stage=cleaned.get("dispute_stage") or "",
                techniques=cleaned.get("techniques") or [],
                risk_review=cleaned.get("risk_review") or "",
                risk_notes=cleaned.get("risk_notes") or "",
                mood=cleaned.get("mood"),
            )
        )
        return cleaned


def note_form_values(note: SessionNote) -> dict[str, Any]:
    """The note as form data, for a partial change through the API."""
    values = {name: getattr(note, name) for name in NoteForm.Meta.fields if name != "problem_area"}
    values["problem_area"] = note.problem_area_id
    return {name: ("" if value is None else value) for name, value in values.items()}


class IncidentForm(forms.ModelForm):
    class Meta:
        model = InterpersonalIncident
        fields = ["person", "what_happened", "affect", "communication_analysis"]
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 3}),
            "communication_analysis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, client_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(client_id=client_id)


class SignForm(forms.Form):
    signature = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("Signing locks the note. Later corrections are amendments, kept beside the original."),
    )


class CosignForm(forms.Form):
    signature = forms.CharField(label=_("Type your full name to co-sign"), max_length=200)


class AmendForm(forms.Form):
    field = forms.ChoiceField(label=_("Part of the note"), choices=AmendableField.choices)
    text = forms.CharField(label=_("Amendment"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteSettingsForm(forms.Form):
    require_cosign_for_supervised = forms.BooleanField(
        label=_("Notes of supervised therapists need their supervisor's co-signature"),
        required=False,
        help_text=_(
            "Applies to notes signed from now on, by therapists who have a clinical supervisor. The co-signature "
            "does not unlock the note."
        ),
    )

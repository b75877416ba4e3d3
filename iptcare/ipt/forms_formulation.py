"""Forms for the formulation, problem areas, goals, the contract, signing it, and renegotiation.

The rules themselves live in actions_formulation (the *_errors functions); the forms run them too, so that each
problem shows next to its field before anything is saved. The JSON API validates through the same forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.ipt.actions_formulation import (
    MAX_MODALITIES,
    PROBLEM_AREA_LINKS,
    SESSION_MINUTES_RANGE,
    contract_errors,
    formulation_errors,
    goal_errors,
    problem_area_errors,
)
from iptcare.ipt.models import (
    SESSION_RANGE,
    Contract,
    Episode,
    Format,
    Formulation,
    Goal,
    InventoryEntry,
    Modality,
    ModalityKind,
    ProblemArea,
    Renegotiation,
)


class RuleFormMixin:
    """Puts each message of a rule function on its field, unless that field already has a problem."""

    def add_rule_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            target = field if field in self.fields else None  # type: ignore[attr-defined]
            if target is None or target not in self.errors:  # type: ignore[attr-defined]
                self.add_error(target, message)  # type: ignore[attr-defined]


def _not_in_future(value: Any, message: str) -> Any:
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)
    return value


class FormulationForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = Formulation
        fields = ["text", "sick_role_given_on", "accepted_on", "declined_reason"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 6}),
            "sick_role_given_on": DateInput(),
            "accepted_on": DateInput(),
            "declined_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "text": _("Link the client's symptoms and use to the problem areas, in words the client would use."),
            "sick_role_given_on": _(
                "When the sick role was explained: excused from what the illness prevents, expected to work at "
                "recovery."
            ),
            "accepted_on": _("Leave blank until the client has agreed with the formulation."),
            "declined_reason": _("Only when the client did not accept it; leave blank if accepted."),
        }

    def clean_sick_role_given_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("sick_role_given_on"), _("This date cannot be in the future."))

    def clean_accepted_on(self) -> Any:
        return _not_in_future(self.cleaned_data.get("accepted_on"), _("This date cannot be in the future."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            formulation_errors(
                accepted_on=cleaned.get("accepted_on"),
                declined_reason=cleaned.get("declined_reason") or "",
                text=cleaned.get("text") or "",
            )
        )
        return cleaned


class ProblemAreaForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = ProblemArea
        fields = [
            "kind",
            "dispute_stage",
            "dispute_with",
            "rationale",
            "why_not_other_areas",
            "inventory_entries",
            "timeline_events",
            "triggers",
        ]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "why_not_other_areas": forms.Textarea(attrs={"rows": 3}),
            "inventory_entries": forms.CheckboxSelectMultiple,
            "timeline_events": forms.CheckboxSelectMultiple,
            "triggers": forms.CheckboxSelectMultiple,
        }
        labels = {
            "inventory_entries": _("People in the inventory it concerns"),
            "timeline_events": _("Timeline events it concerns"),
            "triggers": _("Triggers it concerns"),
        }
        help_texts = {
            "dispute_stage": _("Role dispute only: renegotiation, impasse or dissolution. Changes are kept."),
            "dispute_with": _("Role dispute only."),
            "why_not_other_areas": _(
                "Needed for interpersonal deficits, which is chosen only when grief, a role dispute and a role "
                "transition do not apply."
            ),
        }

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client = episode.client
        self.fields["dispute_with"].queryset = client.people.order_by("name", "id")
        self.fields["inventory_entries"].queryset = InventoryEntry.objects.filter(episode=episode).select_related(
            "person"
        )
        self.fields["timeline_events"].queryset = client.timeline_events.order_by("date", "id")
        self.fields["triggers"].queryset = client.triggers.all()
        empty = {
            "inventory_entries": _("No one is in this episode's inventory yet."),
            "timeline_events": _("The client's timeline has no events yet."),
            "triggers": _("No triggers are recorded for the client yet."),
        }
        for name in PROBLEM_AREA_LINKS:
            self.fields[name].required = False
            if not self.fields[name].queryset.exists():
                self.fields[name].help_text = empty[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "kind" in cleaned:
            self.add_rule_errors(
                problem_area_errors(
                    kind=cleaned["kind"],
                    dispute_stage=cleaned.get("dispute_stage") or "",
                    has_dispute_with=cleaned.get("dispute_with") is not None,
                    rationale=cleaned.get("rationale") or "",
                    why_not_other_areas=cleaned.get("why_not_other_areas") or "",
                )
            )
        return cleaned


def problem_area_form_values(area: ProblemArea) -> dict[str, Any]:
    """The area's current values as the form takes them (the API's PATCH merges its changes into these)."""
    return {
        "kind": area.kind,
        "dispute_stage": area.dispute_stage,
        "dispute_with": area.dispute_with_id,
        "rationale": area.rationale,
        "why_not_other_areas": area.why_not_other_areas,
        **{name: [obj.pk for obj in getattr(area, name).all()] for name in PROBLEM_AREA_LINKS},
    }


class GoalForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["description", "evidence_kind", "evidence_detail", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, problem_area: ProblemArea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problem_area = problem_area

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            goal_errors(
                area_kind=self.problem_area.kind,
                description=cleaned.get("description") or "",
                evidence_kind=cleaned.get("evidence_kind") or "",
            )
        )
        return cleaned


def goal_form_values(goal: Goal) -> dict[str, Any]:
    return {name: getattr(goal, name) for name in GoalForm._meta.fields}


class ContractForm(RuleFormMixin, forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["sessions", "session_minutes", "frequency", "start_date", "end_date", "focus"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "focus": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        low, high = SESSION_MINUTES_RANGE
        self.fields["sessions"].help_text = _(
            "The episode plans %(count)d. The contract can be signed only with that number; to change it, record "
            "a renegotiation."
        ) % {"count": episode.planned_sessions}
        self.fields["session_minutes"].widget.attrs.update(min=low, max=high)
        fewest, most = SESSION_RANGE[Format(episode.format)]
        self.fields["sessions"].widget.attrs.update(min=fewest, max=most)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            contract_errors(
                format_=self.episode.format,
                sessions=cleaned.get("sessions"),
                session_minutes=cleaned.get("session_minutes"),
                start_date=cleaned.get("start_date"),
                end_date=cleaned.get("end_date"),
                focus=cleaned.get("focus") or "",
            )
        )
        return cleaned


class ModalityForm(forms.Form):
    """One other treatment beside IPT. A row left empty is no treatment."""

    kind = forms.ChoiceField(label=_("Treatment"), choices=[("", "—"), *ModalityKind.choices], required=False)
    provider = forms.CharField(label=_("Provided by"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, provider = cleaned.get("kind"), (cleaned.get("provider") or "").strip()
        if kind and not provider:
            self.add_error("provider", _("Say who provides it."))
        if provider and not kind:
            self.add_error("kind", _("Choose the treatment."))
        return cleaned


class BaseModalityFormSet(forms.BaseFormSet):
    def modalities(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["kind"], form.cleaned_data["provider"].strip())
            for form in self.forms
            if form.cleaned_data.get("kind")
        ]


ModalityFormSet = forms.formset_factory(
    ModalityForm,
    formset=BaseModalityFormSet,
    extra=MAX_MODALITIES,
    max_num=MAX_MODALITIES,
    absolute_max=MAX_MODALITIES,
    validate_max=True,
)
MODALITY_PREFIX = "modalities"


def modality_formset(data: Any = None, *, modalities: list[Modality] | None = None) -> BaseModalityFormSet:
    initial = [{"kind": m.kind, "provider": m.provider} for m in modalities or []]
    return ModalityFormSet(data, initial=initial, prefix=MODALITY_PREFIX)


def modality_formset_data(rows: list[dict[str, str]]) -> dict[str, Any]:
    """Formset data from the API's list of {"kind", "provider"}."""
    data: dict[str, Any] = {
        f"{MODALITY_PREFIX}-TOTAL_FORMS": len(rows),
        f"{MODALITY_PREFIX}-INITIAL_FORMS": 0,
    }
    for number, row in enumerate(rows):
        data[f"{MODALITY_PREFIX}-{number}-kind"] = row.get("kind", "")
        data[f"{MODALITY_PREFIX}-{number}-provider"] = row.get("provider", "")
    return data


class ContractSignForm(forms.Form):
    therapist_signature = forms.CharField(label=_("Therapist: type your full name"), max_length=200, required=False)
    client_signature = forms.CharField(label=_("Client: type your full name"), max_length=200, required=False)

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Who has signed already signs no more; the page shows their signature instead.
        if contract.therapist_signed_at:
            del self.fields["therapist_signature"]
        if contract.client_signed_at:
            del self.fields["client_signature"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any((cleaned.get(name) or "").strip() for name in self.fields):
            raise forms.ValidationError(_("Type a full name to sign."))
        return cleaned


class RenegotiationForm(forms.ModelForm):
    class Meta:
        model = Renegotiation
        fields = ["new_sessions", "reason", "agreed_on"]
        labels = {"new_sessions": _("New number of sessions")}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "agreed_on": DateInput()}
        help_texts = {"reason": _("Why the number changes, as agreed with the client.")}

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_sessions"].help_text = _("The episode plans %(count)d now.") % {
            "count": episode.planned_sessions
        }

    def clean_agreed_on(self) -> Any:
        return _not_in_future(
            self.cleaned_data.get("agreed_on"), _("The date the change was agreed cannot be in the future.")
        )

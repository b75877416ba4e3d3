"""Forms for the formulation, problem areas, goals, the contract, signing it, and renegotiation.

The rules themselves live in actions_formulation (the *_errors functions); the forms run them too, so that each
problem shows next to its field before anything is saved. The JSON API validates through the same forms.
"""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.ipt.actions_formulation import (
    KIND_FIELDS,
    MAX_MODALITIES,
    PROBLEM_AREA_LINKS,
    PROBLEM_AREA_PEOPLE,
    SESSION_MINUTES_RANGE,
    contract_errors,
    deceased_missing_message,
    fields_not_for,
    formulation_date_errors,
    formulation_errors,
    goal_errors,
    problem_area_errors,
    stage_change_errors,
)
from iptcare.ipt.models import (
    SESSION_RANGE,
    Contract,
    DisputeStage,
    DisputeStageChange,
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

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.episode = episode
        # The dates already stored are not refused again (as in do_save_formulation).
        self.stored = {name: getattr(self.instance, name) for name in ("sick_role_given_on", "accepted_on")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        date_errors = formulation_date_errors(
            sick_role_given_on=cleaned.get("sick_role_given_on"),
            accepted_on=cleaned.get("accepted_on"),
            episode_start=self.episode.start_date,
        )
        self.add_rule_errors(
            {name: message for name, message in date_errors.items() if cleaned.get(name) != self.stored[name]}
        )
        self.add_rule_errors(
            formulation_errors(
                accepted_on=cleaned.get("accepted_on"),
                declined_reason=cleaned.get("declined_reason") or "",
                text=cleaned.get("text") or "",
            )
        )
        return cleaned


class ProblemAreaForm(RuleFormMixin, forms.ModelForm):
    """A problem area with the fields of its kind (KIND_FIELDS).

    On the page (mode "page") all fields are on one form and the kind chosen says which apply: the fields of
    the other kinds are cleared and ignored, and named in `ignored`. The API (mode "api") refuses them instead,
    each with a field error, since a program that sends them has misread the kind.
    """

    class Meta:
        model = ProblemArea
        fields = [
            "kind",
            "deceased",
            "death_date",
            "dispute_with",
            "dispute_stage",
            "old_role",
            "new_role",
            "rationale",
            "why_not_other_areas",
            "inventory_entries",
            "timeline_events",
            "triggers",
        ]
        widgets = {
            "death_date": DateInput(),
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "why_not_other_areas": forms.Textarea(attrs={"rows": 3}),
            "inventory_entries": forms.CheckboxSelectMultiple,
            "timeline_events": forms.CheckboxSelectMultiple,
            "triggers": forms.CheckboxSelectMultiple,
        }
        labels = {
            "deceased": _("Who died (grief only)"),
            "death_date": _("Date of the death (grief only)"),
            "dispute_with": _("Dispute with (role disputes only)"),
            "dispute_stage": _("Stage of the dispute (role disputes only)"),
            "old_role": _("The old role (role transitions only)"),
            "new_role": _("The new role (role transitions only)"),
            "why_not_other_areas": _("Why none of the other areas applies (interpersonal deficits only)"),
            "inventory_entries": _("People in the inventory it concerns"),
            "timeline_events": _("Timeline events it concerns"),
            "triggers": _("Triggers it concerns"),
        }
        help_texts = {
            "death_date": _("Leave blank if the date is not known."),
            "dispute_with": _("Needed for a role dispute."),
            "dispute_stage": _(
                "Needed for a role dispute: renegotiation, impasse or dissolution. Each change is kept with its date."
            ),
            "old_role": _("Needed for a role transition: the role left or lost, such as “working”."),
            "new_role": _("Needed for a role transition: the role taken up, such as “in recovery”."),
            "why_not_other_areas": _(
                "Needed for interpersonal deficits, which is chosen only when grief, a role dispute and a role "
                "transition do not apply."
            ),
        }

    # Fields that apply to one kind only: needed for it, so the page shows no "(optional)" marker beside them.
    kind_fields = tuple(name for names in KIND_FIELDS.values() for name in names)

    def __init__(self, *args: Any, episode: Episode, mode: Literal["page", "api"] = "page", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        self.ignored: list[str] = []
        client = episode.client
        self.person_create_url = reverse("person_create", kwargs={"client_id": client.pk})
        people = client.people.order_by("name", "id")
        for name in PROBLEM_AREA_PEOPLE:
            self.fields[name].queryset = people
        if not people.exists():
            self.fields["deceased"].help_text = format_html(
                _(
                    'No one is recorded in the client\'s life yet: <a href="{url}">add the person who died</a> on the '
                    "client's record first."
                ),
                url=self.person_create_url,
            )
            self.fields["dispute_with"].help_text = format_html(
                _(
                    'Needed for a role dispute. No one is recorded in the client\'s life yet: <a href="{url}">add the '
                    "person</a> on the client's record first."
                ),
                url=self.person_create_url,
            )
        else:
            self.fields["deceased"].help_text = format_html(
                _(
                    "Choose from the client's people. Someone not listed? <a href=\"{url}\">Add them on the client's "
                    "record</a> first."
                ),
                url=self.person_create_url,
            )
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
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        if self.mode == "page":
            for name in fields_not_for(kind):
                if cleaned.get(name) not in (None, "") or name in self.errors:
                    self.ignored.append(name)
                self.errors.pop(name, None)
                cleaned[name] = None if name in (*PROBLEM_AREA_PEOPLE, "death_date") else ""
        errors = problem_area_errors(cleaned)
        if self.mode == "page" and errors.get("deceased") == str(deceased_missing_message()):
            errors["deceased"] = format_html(
                _(
                    'Name who died. If they are not among the client\'s people yet, <a href="{url}">add them on the '
                    "client's record</a> first."
                ),
                url=self.person_create_url,
            )
        self.add_rule_errors(errors)
        return cleaned

    def ignored_labels(self) -> list[str]:
        return [str(self.fields[name].label) for name in self.ignored]


def problem_area_form_values(area: ProblemArea) -> dict[str, Any]:
    """The area's current values as the form takes them (the API's PATCH merges its changes into these)."""
    return {
        "kind": area.kind,
        "deceased": area.deceased_id,
        "death_date": area.death_date,
        "dispute_with": area.dispute_with_id,
        "dispute_stage": area.dispute_stage,
        "old_role": area.old_role,
        "new_role": area.new_role,
        "rationale": area.rationale,
        "why_not_other_areas": area.why_not_other_areas,
        **{name: [obj.pk for obj in getattr(area, name).all()] for name in PROBLEM_AREA_LINKS},
    }


class DisputeStageForm(RuleFormMixin, forms.ModelForm):
    """A role dispute moves to another stage, as of a date, with an optional note."""

    class Meta:
        model = DisputeStageChange
        fields = ["stage", "changed_on", "note"]
        labels = {"stage": _("New stage"), "changed_on": _("As of")}
        widgets = {"changed_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"note": _("What moved it, in a sentence.")}

    def __init__(self, *args: Any, area: ProblemArea, episode: Episode, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"changed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.area, self.episode = area, episode
        latest = max(area.stage_changes.all(), key=lambda change: (change.changed_on, change.pk), default=None)
        self.current_since = latest.changed_on if latest else None
        now = _("%(stage)s (the stage now)")
        self.fields["stage"].choices = [
            ("", "—"),
            *(
                (value, now % {"stage": label} if value == area.dispute_stage else label)
                for value, label in DisputeStage.choices
            ),
        ]
        # The model's default is today's date; the form offers it as the initial value without a hidden copy.
        self.fields["changed_on"].show_hidden_initial = False
        self.fields["changed_on"].widget.attrs.update(
            min=max(episode.start_date, self.current_since or episode.start_date).isoformat(),
            max=timezone.localdate().isoformat(),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.add_rule_errors(
            stage_change_errors(
                current_stage=self.area.dispute_stage,
                stage=cleaned.get("stage") or "",
                changed_on=cleaned.get("changed_on"),
                episode_start=self.episode.start_date,
                current_since=self.current_since,
            )
        )
        return cleaned


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
            "The episode plans %(count)d. The number agreed here becomes the episode's plan; once both have signed, "
            "only a renegotiation changes it."
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

"""Forms of the plan pages: one editor per kind of section, picking suggestions, confirming a final version, and
the closure.

The forms check what a person can fix on the page (a missing description, too many lines); the content schema in
content.py is the last word, applied by the actions, and its problems come back to the page by section.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from iptcare.clients.forms import DateInput
from iptcare.ipt.models import Goal
from iptcare.plans.actions_closure import REVIEW_STATUSES, closure_errors
from iptcare.plans.content import (
    EXTERNAL_CATEGORIES,
    LINE_LENGTH,
    MAX_DATES,
    MAX_ITEMS,
    NOTE_LENGTH,
    AvoidKind,
    Section,
    SectionKind,
    TriggerCategory,
    category_name,
)
from iptcare.plans.models import ENDING_DECISIONS, ClosureDecision
from iptcare.plans.suggestions import Suggestion

SOURCE_FIELD = {"required": False, "widget": forms.HiddenInput, "max_length": 60}


def _category_choices() -> list[Any]:
    external = [(c.value, category_name(c)) for c in TriggerCategory if c in EXTERNAL_CATEGORIES]
    internal = [(c.value, category_name(c)) for c in TriggerCategory if c not in EXTERNAL_CATEGORIES]
    return [("", _("Choose the kind of trigger")), (_("External"), external), (_("Internal"), internal)]


# ---------------------------------------------------------------------------------------------------- items


class TriggerItemForm(forms.Form):
    category = forms.ChoiceField(label=_("Kind of trigger"), choices=_category_choices)
    description = forms.CharField(label=_("Trigger"), max_length=LINE_LENGTH)
    coping = forms.CharField(
        label=_("Coping step"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(**SOURCE_FIELD)


class SignItemForm(forms.Form):
    description = forms.CharField(label=_("Warning sign"), max_length=LINE_LENGTH)
    interpersonal = forms.BooleanField(label=_("Interpersonal (tied to the problem area)"), required=False)
    coping = forms.CharField(
        label=_("Coping step"), required=False, max_length=NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(**SOURCE_FIELD)


class ContactItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    relationship = forms.CharField(label=_("Who they are"), required=False, max_length=120)
    phone = forms.CharField(label=_("Phone, or how to reach them"), required=False, max_length=120)
    note = forms.CharField(
        label=_("When to call, or what they can do"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(**SOURCE_FIELD)


class AvoidItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to avoid"), choices=[("", _("Choose")), *AvoidKind.choices])
    description = forms.CharField(label=_("Who or where"), max_length=LINE_LENGTH)
    source = forms.CharField(**SOURCE_FIELD)


class DateItemForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())


ITEM_FORMS: dict[str, type[forms.Form]] = {
    SectionKind.TRIGGERS: TriggerItemForm,
    SectionKind.SIGNS: SignItemForm,
    SectionKind.CONTACTS: ContactItemForm,
    SectionKind.AVOID: AvoidItemForm,
}


class RemovableRowsFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def add_error(self, message: str) -> None:
        """A problem with the rows as a whole, shown above them (the content schema's word on the section)."""
        self._non_form_errors = self.error_class([*self.non_form_errors(), message])


class DateRowsFormSet(RemovableRowsFormSet):
    """Dates, one field a row: each is labelled with its number, so no fieldset per row is needed."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        number = {"number": (index or 0) + 1}
        form.fields["date"].label = _("Date %(number)d") % number
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove date %(number)d") % number


def _formset(
    form: type[forms.Form], *, most: int, extra: int = 2, base: type[forms.BaseFormSet] = RemovableRowsFormSet
) -> type[forms.BaseFormSet]:
    # Blank rows to add items without any script; each row can be removed with its own checkbox.
    return forms.formset_factory(
        form,
        formset=base,
        extra=extra,
        can_delete=True,
        can_delete_extra=False,
        max_num=most,
        validate_max=True,
        absolute_max=most,
    )


def _kept(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The filled-in, not removed rows, in their order on the page."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.initial:
            continue
        if form.cleaned_data.get("DELETE") or not form.cleaned_data:
            continue
        rows.append({name: value for name, value in form.cleaned_data.items() if name != "DELETE"})
    return rows


# ---------------------------------------------------------------------------------------------------- editors


class SectionEditor(ABC):
    """The form (or forms) that edit one section of a draft, and the section's new value from them. Each kind of
    section has its own editor."""

    template = ""

    def __init__(self, section: Section, value: Any, data: Any = None) -> None:
        self.section = section
        self.build(value, data)

    @abstractmethod
    def build(self, value: Any, data: Any) -> None: ...

    @abstractmethod
    def is_valid(self) -> bool: ...

    @abstractmethod
    def value(self) -> Any: ...

    @abstractmethod
    def add_error(self, message: str) -> None: ...


class LinesForm(forms.Form):
    lines = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_lines(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["lines"].splitlines() if line.strip()]
        if len(lines) > MAX_ITEMS:
            raise ValidationError(_("Keep it to %(count)d lines or fewer."), params={"count": MAX_ITEMS})
        too_long = [line for line in lines if len(line) > LINE_LENGTH]
        if too_long:
            raise ValidationError(
                _("Each line has at most %(count)d characters; shorten: “%(line)s…”"),
                params={"count": LINE_LENGTH, "line": too_long[0][:40]},
            )
        return lines


class LinesEditor(SectionEditor):
    template = "plans/editors/lines.html"

    def build(self, value: Any, data: Any) -> None:
        self.form = LinesForm(data, initial={"lines": "\n".join(value)})
        self.form.fields["lines"].label = self.section.label
        self.form.fields["lines"].help_text = _("One per line. %(help)s") % {"help": self.section.help}
        if self.section.placeholder:
            self.form.fields["lines"].widget.attrs["placeholder"] = self.section.placeholder

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def value(self) -> Any:
        return self.form.cleaned_data["lines"]

    def add_error(self, message: str) -> None:
        self.form.add_error("lines", message)


class ItemsEditor(SectionEditor):
    template = "plans/editors/items.html"

    def build(self, value: Any, data: Any) -> None:
        formset_class = _formset(ITEM_FORMS[self.section.kind], most=MAX_ITEMS)
        initial = [item.model_dump(mode="json") for item in value]
        self.formset = formset_class(data, initial=initial, prefix="items")

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def value(self) -> Any:
        return _kept(self.formset)

    def add_error(self, message: str) -> None:
        self.formset.add_error(message)


class LapseForm(forms.Form):
    who_to_call = forms.CharField(
        label=_("Who to call after a lapse"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names and numbers, in the order to try them."),
    )
    how_to_come_back = forms.CharField(
        label=_("How to come back"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A lapse is not a failure: the next steps back, in the client's words."),
    )


class LapseEditor(SectionEditor):
    template = "plans/editors/form.html"

    def build(self, value: Any, data: Any) -> None:
        self.form = LapseForm(data, initial=value.model_dump(mode="json"))

    def is_valid(self) -> bool:
        return self.form.is_valid()

    def value(self) -> Any:
        return self.form.cleaned_data

    def add_error(self, message: str) -> None:
        self.form.add_error(None, message)


class BoostersForm(forms.Form):
    frequency = forms.CharField(
        label=_("How often"),
        required=False,
        max_length=120,
        help_text=_("For example: monthly for six months, then every three months."),
    )


DatesFormset = _formset(DateItemForm, most=MAX_DATES, extra=3, base=DateRowsFormSet)


def dates_of(formset: forms.BaseFormSet) -> list[dt.date]:
    """The dates kept in a dates formset, in order, each once."""
    return sorted({row["date"] for row in _kept(formset)})


def _dates(formset: forms.BaseFormSet) -> list[str]:
    return [day.isoformat() for day in dates_of(formset)]


class BoostersEditor(SectionEditor):
    template = "plans/editors/boosters.html"

    def build(self, value: Any, data: Any) -> None:
        self.form = BoostersForm(data, initial={"frequency": value.frequency})
        self.formset = DatesFormset(data, initial=[{"date": d} for d in value.dates], prefix="dates")

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.formset.is_valid()])

    def value(self) -> Any:
        return {"frequency": self.form.cleaned_data["frequency"], "dates": _dates(self.formset)}

    def add_error(self, message: str) -> None:
        self.form.add_error(None, message)


class DatesEditor(SectionEditor):
    template = "plans/editors/dates.html"

    def build(self, value: Any, data: Any) -> None:
        self.formset = DatesFormset(data, initial=[{"date": d} for d in value], prefix="dates")

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def value(self) -> Any:
        return _dates(self.formset)

    def add_error(self, message: str) -> None:
        self.formset.add_error(message)


EDITORS: dict[str, type[SectionEditor]] = {
    SectionKind.LINES: LinesEditor,
    SectionKind.TRIGGERS: ItemsEditor,
    SectionKind.SIGNS: ItemsEditor,
    SectionKind.CONTACTS: ItemsEditor,
    SectionKind.AVOID: ItemsEditor,
    SectionKind.LAPSE: LapseEditor,
    SectionKind.BOOSTERS: BoostersEditor,
    SectionKind.DATES: DatesEditor,
}


def editor_for(section: Section, value: Any, data: Any = None) -> SectionEditor:
    return EDITORS[section.kind](section, value, data)


# ---------------------------------------------------------------------------------------------------- pick, finalise


class PickSuggestionsForm(forms.Form):
    pick = forms.MultipleChoiceField(
        label=_("Suggestions from the client's record"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one suggestion.")},
    )

    def __init__(self, *args: Any, suggestions: list[Suggestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pick"].choices = [(s.key, s.label) for s in suggestions]


class FinaliseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have gone through this version with the client, and it is final"),
        error_messages={"required": _("Tick the box to confirm: a final version can no longer be changed.")},
    )


# ---------------------------------------------------------------------------------------------------- closure


class ClosureForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ClosureDecision.choices, widget=forms.RadioSelect)
    referral_to = forms.CharField(
        label=_("Referred to, and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the decision is to refer elsewhere."),
    )
    feelings_about_ending = forms.CharField(
        label=_("The client's feelings about ending"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    what_helped = forms.CharField(
        label=_("What helped, in the client's own words"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    aftercare = forms.CharField(
        label=_("Aftercare"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mutual-help groups, medication follow-up, other services."),
    )
    no_plan_reason = forms.CharField(
        label=_("Why there is no final relapse-prevention plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the episode closes without one."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm_end = forms.BooleanField(
        label=_("I understand that this decision ends the episode"),
        required=False,
        help_text=_("Completed, maintenance and referral close the episode; it cannot be reopened."),
    )

    def __init__(self, *args: Any, goals: list[Goal], has_final_plan: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.has_final_plan = has_final_plan
        choices = [(status.value, status.label) for status in REVIEW_STATUSES]
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=_("Goal: %(goal)s") % {"goal": goal.description},
                choices=choices,
                widget=forms.RadioSelect,
                initial=goal.status if goal.status in dict(choices) else None,
                error_messages={"required": _("Say whether this goal was met, partly met or not met.")},
            )
        if has_final_plan:
            del self.fields["no_plan_reason"]

    def goal_fields(self) -> list[forms.BoundField]:
        return [self[f"goal_{goal.pk}"] for goal in self.goals]

    def other_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if not field.name.startswith("goal_")]

    def goal_statuses(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data[f"goal_{goal.pk}"] for goal in self.goals}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        errors = closure_errors(
            decision=cleaned.get("decision") or "",
            referral_to=cleaned.get("referral_to") or "",
            no_plan_reason=cleaned.get("no_plan_reason") or "",
            has_final_plan=self.has_final_plan,
        )
        for field, message in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        if cleaned.get("decision") in ENDING_DECISIONS and not cleaned.get("confirm_end"):
            self.add_error("confirm_end", _("Tick the box to confirm that the episode ends."))
        return cleaned

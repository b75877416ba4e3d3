"""Turning form validation into the API's error shape."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError

# The API names a foreign key "<name>_id" where the form calls it "<name>".
API_TO_FORM_FIELDS = {"site_id": "site", "primary_therapist_id": "primary_therapist", "user_id": "user"}
_API_FIELD_NAMES = {form: api for api, form in API_TO_FORM_FIELDS.items()}


def form_data_from_api(data: dict) -> dict:
    """API input renamed to the form's field names."""
    return {API_TO_FORM_FIELDS.get(key, key): value for key, value in data.items()}


class FormInvalid(Exception):
    """Raised by an API operation whose input failed a form's validation; answered with status 422."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def from_form(cls, form: forms.BaseForm) -> FormInvalid:
        return cls({_API_FIELD_NAMES.get(name, name): list(messages) for name, messages in form.errors.items()})

    @classmethod
    def from_validation_error(cls, error: DjangoValidationError) -> FormInvalid:
        if hasattr(error, "error_dict"):
            return cls(
                {
                    _API_FIELD_NAMES.get(k, k): [str(m) for e in v for m in e.messages]
                    for k, v in error.error_dict.items()
                }
            )
        return cls({"__all__": list(error.messages)})


def validate_form(form: forms.BaseForm) -> dict:
    if not form.is_valid():
        raise FormInvalid.from_form(form)
    return form.cleaned_data

"""The audit page's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from iptcare.accounts.models import User
from iptcare.audit.models import EventType


class AuditFilterForm(forms.Form):
    client = forms.CharField(label=_("Client identifier"), required=False, max_length=40)
    actor = forms.ModelChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    event_type = forms.TypedChoiceField(label=_("Event"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = User.objects.filter(organization=organization).order_by("full_name")
        self.fields["event_type"].choices = [("", _("Any event")), *EventType.choices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

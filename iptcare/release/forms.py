"""The release forms: the gate's question (who, why, what) plus how the records leave."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from iptcare.consent.forms import DisclosureRequestForm
from iptcare.consent.gate import Recipient
from iptcare.consent.models import DataCategory
from iptcare.release.actions import MAX_TOKEN_DAYS, ReleaseRequest
from iptcare.release.collect import RELEASABLE

RELEASABLE_CHOICES = [(value, label) for value, label in DataCategory.choices if value in RELEASABLE]


class _ReleaseQuestionForm(DisclosureRequestForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = self.fields["categories"]
        categories.choices = RELEASABLE_CHOICES
        categories.help_text = gettext_lazy(
            "SUD counselling notes are never released here, and session notes only as a summary "
            "(date, focus, techniques)."
        )
        del self.fields["via"]

    def release_request(self) -> ReleaseRequest:
        data = self.cleaned_data
        return ReleaseRequest(
            recipient=Recipient(
                name=data["recipient_name"],
                organization=data["recipient_organization"],
                recipient_class=data["recipient_class"],
            ),
            purpose=data["purpose"],
            purpose_detail=data["purpose_detail"],
            categories=list(data["categories"]),
        )


class ExportForm(_ReleaseQuestionForm):
    file_format = forms.ChoiceField(
        label=gettext_lazy("As"),
        choices=[("html", gettext_lazy("A printable page")), ("json", gettext_lazy("A JSON file"))],
        initial="html",
        widget=forms.RadioSelect,
    )


class RecipientTokenForm(_ReleaseQuestionForm):
    valid_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=30,
        help_text=gettext_lazy("Each read is checked against the consent again, and ends when the consent does."),
    )

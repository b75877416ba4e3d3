"""Forms for recording a consent (and a new version of one), revoking it, asking the gate, and the notice setting.

The rules about what a consent must contain live in rules.py; these forms parse the input and report those rules'
errors on the fields they concern.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iptcare.accounts.models import Organization, User
from iptcare.consent.models import (
    Consent,
    ConsentKind,
    ConsentRecipient,
    DataCategory,
    DiscloserKind,
    ExpiryKind,
    Purpose,
    RecipientClass,
    SignerKind,
)
from iptcare.consent.rules import MISSING, consent_errors, recipient_errors
from iptcare.consent.statements import STATEMENT_TEXTS
from iptcare.lib.notices import NoticeForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Fields a new version starts from; the signature and its date are always given afresh.
CARRIED_OVER = (
    "kind",
    "discloser_kind",
    "categories",
    "information_description",
    "recipient_classes",
    "purposes",
    "purpose_other",
    "court_order_reference",
    "expiry_kind",
    "expires_on",
)


def _required(name: str) -> dict[str, Any]:
    return {"error_messages": {"required": MISSING[name]}}


class ConsentForm(forms.Form):
    """Every element of a written consent except its named recipients, which come from RecipientForm rows."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of consent"),
        choices=ConsentKind.choices,
        widget=forms.RadioSelect,
        **_required("kind"),
    )
    discloser_kind = forms.ChoiceField(
        label=gettext_lazy("Who may disclose"),
        choices=DiscloserKind.choices,
        widget=forms.RadioSelect,
        initial=DiscloserKind.PROGRAM,
        **_required("discloser_kind"),
    )
    named_disclosers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Staff who may disclose"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Only when the consent names staff rather than the program."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Information that may be disclosed"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        **_required("categories"),
    )
    information_description = forms.CharField(
        label=gettext_lazy("Description of the information"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Specific and meaningful, in words the client understands (for example “my "
            "relapse-prevention plan and my attendance since January”)."
        ),
        **_required("information_description"),
    )
    recipient_classes = forms.MultipleChoiceField(
        label=gettext_lazy("Classes of recipients (TPO consents only)"),
        choices=RecipientClass.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    purposes = forms.MultipleChoiceField(
        label=gettext_lazy("Purpose"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
        **_required("purposes"),
    )
    purpose_other = forms.CharField(label=gettext_lazy("Other purpose"), max_length=300, required=False)
    court_order_reference = forms.CharField(
        label=gettext_lazy("Court order reference"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Required for legal proceedings against the client (42 CFR §2.64, §2.65)."),
    )
    effective_from = forms.DateField(
        label=gettext_lazy("In effect from"),
        widget=DATE_INPUT,
        required=False,
        help_text=gettext_lazy("Leave empty for the date signed."),
    )
    expiry_kind = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=ExpiryKind.choices, widget=forms.RadioSelect, **_required("expiry_kind")
    )
    expires_on = forms.DateField(label=gettext_lazy("Expiry date"), widget=DATE_INPUT, required=False)
    signer_kind = forms.ChoiceField(
        label=gettext_lazy("Signed by"),
        choices=SignerKind.choices,
        widget=forms.RadioSelect,
        initial=SignerKind.CLIENT,
        **_required("signer_kind"),
    )
    signer_name = forms.CharField(
        label=gettext_lazy("Signature: the signer types their full name"), max_length=200, **_required("signer_name")
    )
    representative_relationship = forms.CharField(
        label=gettext_lazy("Representative's relationship to the client or authority to sign"),
        max_length=120,
        required=False,
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Date signed"), widget=DATE_INPUT, initial=timezone.localdate, **_required("signed_on")
    )
    acknowledged_statements = forms.MultipleChoiceField(
        label=gettext_lazy("Statements read with the client and acknowledged"),
        choices=[(key, text) for key, text in STATEMENT_TEXTS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("A TPO consent needs all three; a counselling-notes consent needs the last."),
    )

    def __init__(
        self, *args: Any, organization: Organization, recipients: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recipients = recipients
        self.fields["named_disclosers"].queryset = User.objects.filter(organization=organization, is_active=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("expiry_kind") != ExpiryKind.DATE:
            cleaned["expires_on"] = None
        if Purpose.LEGAL_PROCEEDINGS not in (cleaned.get("purposes") or []):
            cleaned["court_order_reference"] = ""
        if Purpose.OTHER not in (cleaned.get("purposes") or []):
            cleaned["purpose_other"] = ""
        if cleaned.get("signer_kind") != SignerKind.REPRESENTATIVE:
            cleaned["representative_relationship"] = ""
        if cleaned.get("discloser_kind") != DiscloserKind.NAMED_STAFF:
            cleaned["named_disclosers"] = []
        for name, messages in consent_errors(cleaned, self.recipients).items():
            if name in self.errors:
                continue
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                # "recipients" is not a field of this form: its rows are RecipientForms.
                self._errors[name] = self.error_class(messages)
        return cleaned

    @staticmethod
    def initial_from(consent: Consent) -> dict[str, Any]:
        """The values a new version starts from: everything but the signature, which is given again."""
        initial = {name: getattr(consent, name) for name in CARRIED_OVER}
        initial["named_disclosers"] = list(consent.named_disclosers.all())
        return initial


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RecipientForm(forms.Form):
    """One named recipient of a consent."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Recipient is"), choices=[("", "—"), *ConsentRecipient.Kind.choices], required=False
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    organization = forms.CharField(label=gettext_lazy("Organization or address"), max_length=200, required=False)
    participants = forms.CharField(
        label=gettext_lazy("Intermediary's participants who may receive the records (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    participants_are_treating_providers = forms.BooleanField(
        label=gettext_lazy("Or: participants who have a treating provider relationship with the client"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_blank():
            return {}
        cleaned["participants"] = _lines(cleaned.get("participants", ""))
        for name, messages in recipient_errors(cleaned).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def is_blank(self) -> bool:
        """A row with nothing typed or chosen in it: not a recipient, and not an error."""
        names = ("kind", "name", "organization", "participants", "participants_are_treating_providers")
        return not any(str(self.data.get(self.add_prefix(name), "")).strip() for name in names)


class BaseRecipientFormSet(forms.BaseFormSet):
    """Rows left empty are not recipients; every other row must be a complete recipient.

    Django would skip validating a spare row that still equals its initial values (a new version starts from the
    current recipients), so every row is validated and RecipientForm decides what counts as empty.
    """

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "empty_permitted": False}

    def recipients(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.forms if form.is_bound and not form.is_blank()]


RecipientFormSet = forms.formset_factory(RecipientForm, formset=BaseRecipientFormSet, extra=3, max_num=20)


def recipient_formset(data: Any = None, consent: Consent | None = None) -> BaseRecipientFormSet:
    """The recipients' rows: empty for a new consent, the current ones for a new version (three spare rows)."""
    initial = []
    if consent is not None:
        initial = [
            {
                "kind": r.kind,
                "name": r.name,
                "organization": r.organization,
                "participants": "\n".join(r.participants),
                "participants_are_treating_providers": r.participants_are_treating_providers,
            }
            for r in consent.recipients.all()
        ]
    return RecipientFormSet(data, initial=initial or None, prefix="recipients")


class RevocationForm(forms.Form):
    written_on = forms.DateField(
        label=gettext_lazy("Date on the written revocation"),
        widget=DATE_INPUT,
        initial=timezone.localdate,
        error_messages={"required": gettext_lazy("Enter the date of the written revocation.")},
    )
    revoked_by_name = forms.CharField(
        label=gettext_lazy("Signed by: the client or their representative types their full name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Type the name of the person revoking the consent.")},
    )
    representative_relationship = forms.CharField(
        label=gettext_lazy("If a representative signs: their relationship to the client"),
        max_length=120,
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    in_writing = forms.BooleanField(
        label=gettext_lazy("The revocation is in writing, signed and dated (on paper or typed here)."),
        error_messages={"required": gettext_lazy("A revocation is made in writing: confirm that it is.")},
    )

    def __init__(self, *args: Any, consent: Consent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_written_on(self) -> Any:
        day = self.cleaned_data["written_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        if day < self.consent.signed_on:
            raise forms.ValidationError(_("The revocation cannot be dated before the consent was signed."))
        return day


class DisclosureRequestForm(forms.Form):
    """A question for the gate: who would receive what, for which purpose."""

    recipient_name = forms.CharField(label=gettext_lazy("Recipient's name"), max_length=200)
    recipient_organization = forms.CharField(
        label=gettext_lazy("Recipient's organization"), max_length=200, required=False
    )
    recipient_class = forms.ChoiceField(
        label=gettext_lazy("The recipient is one of the client's"),
        choices=[("", "—"), *RecipientClass.choices],
        required=False,
        help_text=gettext_lazy("Only for a TPO consent that names classes of recipients."),
    )
    via = forms.CharField(label=gettext_lazy("Through the intermediary"), max_length=200, required=False)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    purpose_detail = forms.CharField(label=gettext_lazy("Other purpose"), max_length=300, required=False)
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Information"), choices=DataCategory.choices, widget=forms.CheckboxSelectMultiple
    )


class DisclosureSettingsForm(forms.Form):
    notice_form = forms.ChoiceField(
        label=gettext_lazy("Notice stamped on every disclosure"), choices=NoticeForm.choices, widget=forms.RadioSelect
    )

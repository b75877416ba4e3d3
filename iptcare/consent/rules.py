"""What a consent must contain to be valid (42 CFR §2.31; IPT-DOMAIN §10), as one function over its values.

The form, the API and the action all use `consent_errors`, so a missing element gets the same clear message on
every path, keyed by the field that lacks it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iptcare.consent.models import (
    TPO_PURPOSES,
    ConsentKind,
    ConsentRecipient,
    DataCategory,
    DiscloserKind,
    ExpiryKind,
    Purpose,
    RecipientClass,
    SignerKind,
    Statement,
)
from iptcare.consent.statements import REQUIRED_STATEMENTS

# The message for each element when it is missing.
MISSING = {
    "kind": gettext_lazy("Choose the kind of consent."),
    "discloser_kind": gettext_lazy("Say who may disclose: the program, or named staff."),
    "categories": gettext_lazy("Choose the information the consent covers."),
    "information_description": gettext_lazy("Describe the information to be disclosed, specifically and meaningfully."),
    "purposes": gettext_lazy("Choose the purpose of the disclosure."),
    "expiry_kind": gettext_lazy(
        "Say when the consent expires: on a date, at the end of treatment, or (TPO only) none."
    ),
    "signer_kind": gettext_lazy("Say who signed: the client or an authorised representative."),
    "signer_name": gettext_lazy("Type the name of the person signing: this is the signature."),
    "signed_on": gettext_lazy("Enter the date the consent was signed."),
}


def missing_message(name: str) -> str:
    return str(MISSING[name])


def consent_errors(values: dict[str, Any], recipients: list[dict[str, Any]] | None) -> dict[str, list[str]]:
    """Every problem with a consent's values, by field. `recipients` None means they were not valid on their own
    (their errors are reported with them), so the rules about the number of recipients are not checked."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in MISSING:
        if values.get(name) in (None, "", [], ()):
            add(name, missing_message(name))

    kind = values.get("kind") or ""
    categories = list(values.get("categories") or [])
    purposes = list(values.get("purposes") or [])
    classes = list(values.get("recipient_classes") or [])
    _check_choices(values, add)

    # Counselling notes: their own consent, never combined with another kind.
    if kind == ConsentKind.COUNSELLING_NOTES and categories and categories != [DataCategory.COUNSELLING_NOTES]:
        add(
            "categories",
            _(
                "A counselling-notes consent covers SUD counselling notes only: "
                "it is never combined with other information."
            ),
        )
    if kind and kind != ConsentKind.COUNSELLING_NOTES and DataCategory.COUNSELLING_NOTES in categories:
        add(
            "categories",
            _(
                "SUD counselling notes need a consent of their own (kind “SUD counselling notes”), "
                "never combined with another kind."
            ),
        )

    # Who may disclose.
    if values.get("discloser_kind") == DiscloserKind.NAMED_STAFF and not values.get("named_disclosers"):
        add("named_disclosers", _("Name the staff who may disclose."))

    # Recipients: named, or for TPO a class; intermediaries with their participants.
    if classes and kind and kind != ConsentKind.TPO:
        add("recipient_classes", _("Only a TPO consent may name classes of recipients; name each recipient instead."))
    if recipients is not None and not recipients and not (classes and kind == ConsentKind.TPO):
        if kind == ConsentKind.TPO:
            add("recipients", _("Name at least one recipient, or choose a class of recipients."))
        else:
            add("recipients", _("Name at least one recipient: a person or an organization."))

    # Purpose.
    if kind == ConsentKind.TPO and purposes and not set(purposes) <= TPO_PURPOSES:
        add("purposes", _("A TPO consent is for treatment, payment and health care operations only."))
    if kind == ConsentKind.RESEARCH and purposes and purposes != [Purpose.RESEARCH]:
        add("purposes", _("A research consent is for research only."))
    if Purpose.OTHER in purposes and not (values.get("purpose_other") or "").strip():
        add("purpose_other", _("Describe the other purpose."))
    if Purpose.LEGAL_PROCEEDINGS in purposes and not (values.get("court_order_reference") or "").strip():
        add(
            "court_order_reference",
            _(
                "Records are never disclosed for proceedings against the client without a court order: "
                "record its reference."
            ),
        )

    # Start and expiry.
    signed_on: dt.date | None = values.get("signed_on")
    effective_from: dt.date | None = values.get("effective_from") or signed_on
    expiry_kind = values.get("expiry_kind") or ""
    expires_on: dt.date | None = values.get("expires_on")
    today = timezone.localdate()
    if signed_on and signed_on > today:
        add("signed_on", _("The date signed cannot be in the future."))
    if signed_on and effective_from and effective_from < signed_on:
        add("effective_from", _("A consent takes effect on or after the day it is signed."))
    if expiry_kind == ExpiryKind.NONE and kind and kind != ConsentKind.TPO:
        add("expiry_kind", _("Only a TPO consent may have no expiry: choose a date or the end of treatment."))
    if expiry_kind == ExpiryKind.DATE:
        if expires_on is None:
            add("expires_on", _("Enter the expiry date."))
        elif effective_from and expires_on < effective_from:
            add("expires_on", _("The consent would expire before it takes effect."))
        elif expires_on < today:
            add("expires_on", _("This date has passed: the consent would already have expired."))

    # Signature.
    if (
        values.get("signer_kind") == SignerKind.REPRESENTATIVE
        and not (values.get("representative_relationship") or "").strip()
    ):
        add(
            "representative_relationship",
            _("Say how the representative is related to the client, or on what authority they sign."),
        )

    # The statements the kind requires, shown and acknowledged.
    acknowledged = set(values.get("acknowledged_statements") or [])
    missing = [key for key in REQUIRED_STATEMENTS.get(kind, ()) if key not in acknowledged]
    if missing:
        labels = ", ".join(str(Statement(key).label).lower() for key in missing)
        add(
            "acknowledged_statements",
            _("The signer must acknowledge each statement of this kind of consent: %(list)s.") % {"list": labels},
        )
    return errors


def _check_choices(values: dict[str, Any], add: Any) -> None:
    """Values outside the fixed lists (the API can send anything; the form already refuses them)."""
    single = {
        "kind": ConsentKind.values,
        "discloser_kind": DiscloserKind.values,
        "expiry_kind": ExpiryKind.values,
        "signer_kind": SignerKind.values,
    }
    for name, allowed in single.items():
        if values.get(name) and values[name] not in allowed:
            add(name, _("Choose one of the listed options."))
    lists = {
        "categories": DataCategory.values,
        "purposes": Purpose.values,
        "recipient_classes": RecipientClass.values,
        "acknowledged_statements": Statement.values,
    }
    for name, allowed in lists.items():
        if any(item not in allowed for item in values.get(name) or []):
            add(name, _("Choose from the listed options only."))


def recipient_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Problems with one named recipient."""
    errors: dict[str, list[str]] = {}
    if values.get("kind") not in ConsentRecipient.Kind.values:
        errors["kind"] = [_("Say whether the recipient is a person, an organization or an intermediary.")]
    if not (values.get("name") or "").strip():
        errors["name"] = [_("Name the recipient.")]
    if values.get("kind") == ConsentRecipient.Kind.INTERMEDIARY and not (
        values.get("participants") or values.get("participants_are_treating_providers")
    ):
        errors["participants"] = [
            _("Name the intermediary's participants who may receive the records, or choose those who treat the client.")
        ]
    return errors

"""The consent summary that travels with every disclosure (42 CFR §2.32(b): a copy of the consent or a clear
explanation of its scope). One function renders it, so the page, the printout, the API and the accounting of
disclosures show the same words; a disclosure keeps the text it carried.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from iptcare.consent.models import Consent, DiscloserKind, ExpiryKind, SignerKind


def consent_summary(consent: Consent) -> str:
    """The scope of `consent` in one paragraph: who consented, who may disclose what to whom, why, until when."""
    client = consent.client
    if consent.signer_kind == SignerKind.REPRESENTATIVE:
        signer = _("%(name)s, %(relationship)s") % {
            "name": consent.signer_name,
            "relationship": consent.representative_relationship,
        }
    else:
        signer = consent.signer_name
    if consent.discloser_kind == DiscloserKind.NAMED_STAFF:
        discloser = ", ".join(sorted(user.full_name for user in consent.named_disclosers.all()))
        discloser = _("%(names)s of %(program)s") % {"names": discloser, "program": consent.organization.name}
    else:
        discloser = consent.organization.name
    recipients = [recipient.label for recipient in consent.recipients.all()] + consent.recipient_class_labels()
    sentences = [
        _("%(patient)s consented on %(signed)s (signed by %(signer)s) to the disclosure by %(discloser)s of: %(what)s.")
        % {
            "patient": client.legal_name,
            "signed": consent.signed_on.isoformat(),
            "signer": signer,
            "discloser": discloser,
            "what": "; ".join(consent.category_labels()),
        },
        _("Described as: %(description)s.") % {"description": consent.information_description.strip().rstrip(".")},
        _("Recipients: %(recipients)s.") % {"recipients": "; ".join(recipients)},
        _("Purposes: %(purposes)s.") % {"purposes": "; ".join(consent.purpose_labels())},
    ]
    if consent.court_order_reference:
        sentences.append(_("Court order: %(reference)s.") % {"reference": consent.court_order_reference})
    sentences += [
        _("In effect from %(start)s; %(expiry)s.")
        % {"start": consent.effective_from.isoformat(), "expiry": _expiry(consent)},
        _("%(kind)s consent, version %(version)d.") % {"kind": consent.get_kind_display(), "version": consent.version},
        _("The client may revoke it in writing at any time; a revocation does not undo disclosures already made."),
    ]
    return " ".join(str(sentence) for sentence in sentences)


def _expiry(consent: Consent) -> str:
    if consent.expiry_kind == ExpiryKind.DATE and consent.expires_on is not None:
        return _("expires on %(date)s") % {"date": consent.expires_on.isoformat()}
    if consent.expiry_kind == ExpiryKind.END_OF_TREATMENT:
        return _("expires at the end of treatment")
    return _("no expiry; in effect until revoked")

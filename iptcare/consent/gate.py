"""The disclosure gate: the one function that decides whether a client's records may go to someone outside the
program (42 CFR Part 2; IPT-DOMAIN §10). Every path that sends records out asks it; see docs/disclosures.md.

It fails closed. A disclosure goes ahead only when one consent, active at that moment (signed, in effect, not
expired, not revoked, not superseded), covers the recipient, the purpose and every category of information asked
for, and names the person disclosing when it names staff. Anything missing, unknown or unclear is refused with
a reason. Counselling notes travel alone, under a consent of their own, never under a TPO consent. Records are
never disclosed for legal proceedings against the client unless a court order is recorded on the consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from iptcare.consent.models import (
    Consent,
    ConsentKind,
    ConsentRecipient,
    ConsentStatus,
    DataCategory,
    DiscloserKind,
    Purpose,
    RecipientClass,
)
from iptcare.consent.selectors import ConsentHistory, StatusAt

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client


class Refusal:
    """Why the gate refused, as a code that callers and tests can rely on."""

    UNCLEAR_REQUEST = "unclear_request"
    NO_CONSENT = "no_consent"
    COUNSELLING_NOTES_APART = "counselling_notes_apart"
    COUNSELLING_NOTES_TPO = "counselling_notes_tpo"
    LEGAL_WITHOUT_COURT_ORDER = "legal_without_court_order"
    RECIPIENT_NOT_COVERED = "recipient_not_covered"
    PURPOSE_NOT_COVERED = "purpose_not_covered"
    CATEGORY_NOT_COVERED = "category_not_covered"
    DISCLOSER_NOT_NAMED = "discloser_not_named"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    NOT_YET_EFFECTIVE = "not_yet_effective"
    NOT_COVERED = "not_covered"


ALLOWED = "allowed"


def _normal(text: str) -> str:
    """Names compare without regard to case or spacing; nothing looser, so that a near-miss is refused."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Recipient:
    """Who would receive the records: a person or an organization by name.

    `recipient_class` is the class of a TPO consent the discloser states the recipient belongs to ("one of the
    client's treating providers"); `via` names the intermediary the records pass through, if any.
    """

    name: str
    organization: str = ""
    recipient_class: str = ""
    via: str = ""

    @property
    def label(self) -> str:
        text = f"{self.name} ({self.organization})" if self.organization else self.name
        return f"{text}, via {self.via}" if self.via else text


@dataclass(frozen=True)
class Decision:
    """The gate's answer. `consent` is the version relied on when allowed; `details` says, consent by consent, why
    each one did not cover the request when refused."""

    allowed: bool
    code: str
    reason: str
    consent: Consent | None = None
    details: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.allowed


def check_disclosure(
    client: Client,
    recipient: Recipient,
    purpose: str,
    categories: Iterable[str],
    at: dt.datetime | None = None,
    *,
    discloser: User | None = None,
    purpose_detail: str = "",
    history: ConsentHistory | None = None,
) -> Decision:
    """Whether `client`'s records in `categories` may go to `recipient` for `purpose` at `at` (default: now)."""
    at = at or timezone.now()
    wanted = list(dict.fromkeys(categories or ()))
    unclear = _unclear(recipient, purpose, wanted, purpose_detail)
    if unclear:
        return Decision(False, Refusal.UNCLEAR_REQUEST, unclear)
    if DataCategory.COUNSELLING_NOTES in wanted and len(wanted) > 1:
        return Decision(
            False,
            Refusal.COUNSELLING_NOTES_APART,
            _(
                "Counselling notes are disclosed on their own, under their own consent: "
                "disclose the other records separately."
            ),
        )
    history = history or ConsentHistory(client)
    if not history.versions:
        if purpose == Purpose.LEGAL_PROCEEDINGS:
            return _legal_refusal()
        return Decision(False, Refusal.NO_CONSENT, _("This client has no consent to disclose on record."))

    covering: list[tuple[Consent, StatusAt]] = []
    problems: list[tuple[Consent, str, str]] = []
    for version in history.versions:
        problem = _scope_problem(version, recipient, purpose, wanted, purpose_detail, discloser)
        if problem is None:
            covering.append((version, history.status(version, at)))
        else:
            problems.append((version, *problem))

    active = [version for version, status in covering if status.is_active]
    if active:
        chosen = max(active, key=lambda v: (v.signed_on, v.recorded_at, v.pk))
        return Decision(
            True, ALLOWED, _("Covered by consent version %(version)d.") % {"version": chosen.version}, chosen
        )
    if covering:
        return _inactive_refusal(covering)
    return _scope_refusal(problems, history, at, purpose)


def _unclear(recipient: Recipient, purpose: str, wanted: list[str], purpose_detail: str) -> str:
    if not wanted:
        return _("Say which information would be disclosed.")
    unknown = [c for c in wanted if c not in DataCategory.values]
    if unknown:
        return _("Unknown categories of information: %(list)s.") % {"list": ", ".join(map(str, unknown))}
    if purpose not in Purpose.values:
        return _("Say for which purpose the records would be disclosed.")
    if purpose == Purpose.OTHER and not purpose_detail.strip():
        return _("Describe the purpose of the disclosure.")
    if not _normal(recipient.name):
        return _("Name the person or organization that would receive the records.")
    if recipient.recipient_class and recipient.recipient_class not in RecipientClass.values:
        return _("Unknown class of recipient.")
    return ""


def _legal_refusal() -> Decision:
    return Decision(
        False,
        Refusal.LEGAL_WITHOUT_COURT_ORDER,
        _(
            "Records are never disclosed for proceedings against the client without the client's specific consent "
            "and a court order recorded on it."
        ),
    )


def _scope_problem(
    consent: Consent,
    recipient: Recipient,
    purpose: str,
    wanted: list[str],
    purpose_detail: str,
    discloser: User | None,
) -> tuple[str, str] | None:
    """(code, message) of the first thing `consent` does not cover, or None when it covers the whole request."""
    counselling = DataCategory.COUNSELLING_NOTES in wanted
    if counselling and consent.kind == ConsentKind.TPO:
        return Refusal.COUNSELLING_NOTES_TPO, _("a TPO consent never covers counselling notes")
    if counselling and consent.kind != ConsentKind.COUNSELLING_NOTES:
        return Refusal.CATEGORY_NOT_COVERED, _("counselling notes need a consent of their own")
    if not _recipient_covered(consent, recipient):
        return Refusal.RECIPIENT_NOT_COVERED, _("it does not name %(recipient)s") % {"recipient": recipient.label}
    if purpose not in consent.purposes or (
        purpose == Purpose.OTHER and _normal(purpose_detail) != _normal(consent.purpose_other)
    ):
        return Refusal.PURPOSE_NOT_COVERED, _("it does not cover this purpose")
    missing = [c for c in wanted if c not in consent.categories]
    if missing:
        labels = ", ".join(str(DataCategory(c).label) for c in missing)
        return Refusal.CATEGORY_NOT_COVERED, _("it does not cover: %(list)s") % {"list": labels}
    if consent.discloser_kind != DiscloserKind.PROGRAM and (
        discloser is None or discloser.pk not in {user.pk for user in consent.named_disclosers.all()}
    ):
        return Refusal.DISCLOSER_NOT_NAMED, _("it names the staff who may disclose, and you are not among them")
    if purpose == Purpose.LEGAL_PROCEEDINGS and not consent.court_order_reference.strip():
        return Refusal.LEGAL_WITHOUT_COURT_ORDER, _("no court order is recorded on it")
    return None


def _recipient_covered(consent: Consent, recipient: Recipient) -> bool:
    named = list(consent.recipients.all())
    if recipient.via:
        return any(_through_intermediary(r, recipient) for r in named if r.kind == ConsentRecipient.Kind.INTERMEDIARY)
    if any(_names(r, recipient) for r in named if r.kind != ConsentRecipient.Kind.INTERMEDIARY):
        return True
    return (
        consent.kind == ConsentKind.TPO
        and bool(recipient.recipient_class)
        and (recipient.recipient_class in consent.recipient_classes)
    )


def _names(named: ConsentRecipient, recipient: Recipient) -> bool:
    if named.kind == ConsentRecipient.Kind.ORGANIZATION:
        return _normal(named.name) in {_normal(recipient.name), _normal(recipient.organization)} - {""}
    if _normal(named.name) != _normal(recipient.name):
        return False
    # A person named with their organization is that person at that organization only.
    return not named.organization or _normal(named.organization) == _normal(recipient.organization)


def _through_intermediary(intermediary: ConsentRecipient, recipient: Recipient) -> bool:
    if _normal(intermediary.name) != _normal(recipient.via):
        return False
    members = {_normal(p) for p in intermediary.participants} - {""}
    if members & ({_normal(recipient.name), _normal(recipient.organization)} - {""}):
        return True
    return intermediary.participants_are_treating_providers and recipient.recipient_class == (
        RecipientClass.TREATING_PROVIDERS
    )


# When several consents would have covered the request but none is active, the most telling reason is given.
_INACTIVE_ORDER = (
    ConsentStatus.REVOKED,
    ConsentStatus.EXPIRED,
    ConsentStatus.NOT_YET_EFFECTIVE,
    ConsentStatus.SUPERSEDED,
)


def _inactive_refusal(covering: list[tuple[Consent, StatusAt]]) -> Decision:
    consent, status = min(covering, key=lambda pair: (_INACTIVE_ORDER.index(pair[1].status), -pair[0].pk))
    when = _when(status.since)
    messages = {
        ConsentStatus.REVOKED: (Refusal.REVOKED, _("The consent that covered this was revoked on %(when)s.")),
        ConsentStatus.EXPIRED: (Refusal.EXPIRED, _("The consent that covered this expired on %(when)s.")),
        ConsentStatus.NOT_YET_EFFECTIVE: (
            Refusal.NOT_YET_EFFECTIVE,
            _("The consent that covers this is not in effect yet (from %(when)s)."),
        ),
        ConsentStatus.SUPERSEDED: (
            Refusal.SUPERSEDED,
            _("The consent version that covered this was replaced on %(when)s, and the new version does not cover it."),
        ),
    }
    code, message = messages[ConsentStatus(status.status)]
    return Decision(False, code, message % {"when": when}, consent)


def _scope_refusal(
    problems: list[tuple[Consent, str, str]], history: ConsentHistory, at: dt.datetime, purpose: str
) -> Decision:
    in_force = [(c, code, text) for c, code, text in problems if history.status(c, at).is_active]
    details = tuple(
        _("Consent version %(version)d (%(kind)s, signed %(signed)s): %(problem)s.")
        % {"version": c.version, "kind": c.get_kind_display(), "signed": _when(c.signed_on), "problem": text}
        for c, _code, text in in_force
    )
    if purpose == Purpose.LEGAL_PROCEEDINGS:
        legal = _legal_refusal()
        return Decision(False, legal.code, legal.reason, details=details)
    if not in_force:
        return Decision(False, Refusal.NO_CONSENT, _("No consent of this client is in effect now."))
    codes = {code for _c, code, _text in in_force}
    if Refusal.COUNSELLING_NOTES_TPO in codes and len(codes) == 1:
        reason = _("Counselling notes are never disclosed under a TPO consent: they need a consent of their own.")
        return Decision(False, Refusal.COUNSELLING_NOTES_TPO, reason, details=details)
    reasons = {
        Refusal.RECIPIENT_NOT_COVERED: _("No consent in effect names this recipient."),
        Refusal.PURPOSE_NOT_COVERED: _("No consent in effect covers this purpose."),
        Refusal.CATEGORY_NOT_COVERED: _("No consent in effect covers all of this information."),
        Refusal.DISCLOSER_NOT_NAMED: _("The consent in effect names other staff as the ones who may disclose."),
    }
    if len(codes) == 1 and next(iter(codes)) in reasons:
        code = next(iter(codes))
        return Decision(False, code, str(reasons[code]), details=details)
    reason = _("No consent in effect covers this recipient, purpose and information together.")
    return Decision(False, Refusal.NOT_COVERED, reason, details=details)


def _when(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")

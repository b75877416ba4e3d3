"""Whether a client's counselling-notes consent lets a colleague in the program read counselling notes, and the
record of it in the accounting of disclosures (42 CFR §2.31(b); docs/counselling-notes.md).

SUD counselling notes are read by their author and by nobody else unless the client's consent of its own kind
names that person. The question goes through the gate (`check_disclosure`) like any disclosure: counselling notes
alone, for treatment, disclosed by the note's author, at this moment. On top of the gate, the consent must name the
colleague **as a person** (their name as on their account, and if it gives an organization, the colleague's own):
a consent naming an organization or the program does not open the notes to everyone who works there.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from iptcare.consent.actions import _record_disclosure
from iptcare.consent.gate import Decision, Recipient, Refusal, _names, check_disclosure
from iptcare.consent.models import ConsentKind, ConsentRecipient, DataCategory, Disclosure, Purpose
from iptcare.consent.selectors import ConsentHistory

if TYPE_CHECKING:
    import datetime as dt

    from iptcare.accounts.models import User
    from iptcare.clients.models import Client

CATEGORIES = [DataCategory.COUNSELLING_NOTES.value]
PURPOSE = Purpose.TREATMENT.value


def colleague_as_recipient(colleague: User) -> Recipient:
    """A staff member of the program as the recipient a consent would name: their full name, at their organization."""
    organization = colleague.organization.name if colleague.organization_id else ""
    return Recipient(name=colleague.full_name, organization=organization)


def counselling_notes_decision(
    client: Client,
    colleague: User,
    *,
    author: User,
    at: dt.datetime | None = None,
    history: ConsentHistory | None = None,
) -> Decision:
    """Whether an active counselling-notes consent of `client` names `colleague` as a person to whom counselling
    notes written by `author` may go, for treatment. Asks nothing of the database when `history` is given."""
    history = history or ConsentHistory(client)
    recipient = colleague_as_recipient(colleague)
    naming = [
        version
        for version in history.versions
        if version.kind == ConsentKind.COUNSELLING_NOTES
        and any(_names_person(named, recipient) for named in version.recipients.all())
    ]
    if not naming:
        # The whole gate says why (no consent, a TPO consent, revoked...); it never allows here, even when a consent
        # names the colleague's organization, because only a person named in it counts.
        decision = check_disclosure(client, recipient, PURPOSE, CATEGORIES, at, discloser=author, history=history)
        if decision.allowed:
            return Decision(
                False,
                Refusal.RECIPIENT_NOT_COVERED,
                _("The counselling-notes consent names an organization, not this person."),
                details=decision.details,
            )
        return decision
    narrowed = copy.copy(history)
    narrowed.versions = naming
    return check_disclosure(client, recipient, PURPOSE, CATEGORIES, at, discloser=author, history=narrowed)


def _names_person(named: ConsentRecipient, recipient: Recipient) -> bool:
    return named.kind == ConsentRecipient.Kind.PERSON and _names(named, recipient)


def record_counselling_notes_disclosure(
    client: Client, decision: Decision, *, colleague: User, document: str, channel: str
) -> Disclosure:
    """A colleague read counselling notes under the consent `decision` relied on: a disclosure in the accounting,
    with the notice and the consent summary, like any other (disclosed by the colleague who opened it, who is also
    its recipient)."""
    if not decision.allowed or decision.consent is None:
        raise ValueError("Only an allowed decision is recorded as a disclosure.")
    recipient = colleague_as_recipient(colleague)
    return _record_disclosure(client, decision, recipient, PURPOSE, CATEGORIES, document, channel, colleague, "")

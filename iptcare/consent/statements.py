"""The fixed wording a consent form shows: the right to revoke, and the statements a TPO or counselling-notes consent
requires (42 CFR §2.31(a)). The signer acknowledges the statements of their kind of consent; the consent keeps the
version of the wording it was signed under, so a later change of wording never changes what was signed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from iptcare.consent.models import ConsentKind, Statement

STATEMENTS_VERSION = "2026-1"

# How a client revokes (§2.31(a)(6)). Shown on every consent, printed on every form.
REVOCATION_TEXT = _(
    "You may revoke this consent at any time, in writing: give or send a signed and dated note saying so to the "
    "program, or sign a revocation with any member of your care team. A revocation takes effect when the program "
    "receives it. It does not undo disclosures already made in reliance on this consent."
)

STATEMENT_TEXTS = {
    Statement.REDISCLOSURE: _(
        "A recipient that is a HIPAA covered entity or business associate may redisclose the records it receives "
        "for treatment, payment or health care operations as the HIPAA regulations permit, except for use in civil, "
        "criminal, administrative or legislative proceedings against me. Once redisclosed under HIPAA, the records "
        "may no longer be protected by 42 CFR part 2."
    ),
    Statement.REFUSAL: _(
        "I may refuse to sign this consent. If I refuse, the program will not disclose my records for these "
        "purposes: providers treating me elsewhere may not have my substance-use treatment information, and a "
        "health plan may not pay for services for which it needs that information."
    ),
    Statement.NOT_CONDITIONED: _(
        "My treatment, payment for it, enrollment in a health plan and eligibility for benefits do not depend on "
        "whether I sign this consent."
    ),
}

# The statements each kind of consent must show and have acknowledged.
REQUIRED_STATEMENTS: dict[str, tuple[str, ...]] = {
    ConsentKind.SINGLE: (),
    ConsentKind.RESEARCH: (),
    ConsentKind.TPO: (Statement.REDISCLOSURE, Statement.REFUSAL, Statement.NOT_CONDITIONED),
    ConsentKind.COUNSELLING_NOTES: (Statement.NOT_CONDITIONED,),
}


def statements_for(kind: str) -> list[tuple[str, str]]:
    """(key, wording) of the statements a consent of `kind` shows, in order."""
    return [(key, str(STATEMENT_TEXTS[Statement(key)])) for key in REQUIRED_STATEMENTS.get(kind, ())]

"""The crisis lines every plan starts with, per organization (IPT-DOMAIN §8: configurable per organization and
locale).

US defaults. Sources: the 988 Suicide & Crisis Lifeline (SAMHSA, 988lifeline.org): call or text 988, free,
confidential, at any hour; the Veterans Crisis Line (US Department of Veterans Affairs, veteranscrisisline.net):
dial 988, then press 1. Each plan copies the lines when its first version is started, and the clinician may edit
them there, so a changed default never rewrites a plan the client already holds.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from iptcare.plans.content import ContactItem


def us_crisis_lines() -> list[ContactItem]:
    return [
        ContactItem(
            name=_("988 Suicide & Crisis Lifeline"),
            relationship=_("Crisis line"),
            phone=_("Call or text 988"),
            note=_("Free and confidential, any time of day or night."),
            source="crisis:988",
        ),
        ContactItem(
            name=_("Veterans Crisis Line"),
            relationship=_("Crisis line"),
            phone=_("Dial 988, then press 1"),
            note=_("For veterans, service members and their families."),
            source="crisis:988-veterans",
        ),
        ContactItem(
            name=_("Emergency services"),
            relationship=_("Emergency"),
            phone="911",
            note=_("If you or someone else is in danger right now."),
            source="crisis:911",
        ),
    ]


# An organization outside the US, or with a local line to add, is listed here by its slug, with the function that
# gives its lines. Everyone else gets the US defaults.
ORGANIZATION_CRISIS_LINES: dict[str, Callable[[], list[ContactItem]]] = {}


def crisis_lines_for(organization_slug: str) -> list[ContactItem]:
    """The crisis lines a new plan of this organization starts with."""
    return ORGANIZATION_CRISIS_LINES.get(organization_slug, us_crisis_lines)()

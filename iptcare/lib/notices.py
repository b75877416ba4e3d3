"""Notices that go with client records when they leave the screen: printouts, downloads and disclosures.

The wording of a legal notice is the regulation's own, so it is not marked for translation. Each wording has a
version key; a disclosure records the key and the text it carried, so a later change of wording (or of an
organization's choice between the short and the long form) never rewrites what was sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# The short notice that accompanies each disclosure of Part 2 records: 42 CFR §2.32(a)(2) ("Statement 2") as
# amended by the 2024 final rule (89 FR 12472, 16 February 2024), quoted in IPT-DOMAIN §10.
PART2_SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

# The long notice, 42 CFR §2.32(a)(1) ("Statement 1") as amended by the 2024 final rule. The first paragraph, up to
# "at least one of the following applies:", was checked against a copy of the 2024 text of §2.32 (compliancecosmos.org,
# "Notice and copy of consent to accompany disclosure"). (verify) Items (i) to (iii) and the closing sentence about
# general authorizations could not be checked against a primary source here: compare them with the eCFR text of
# §2.32(a)(1) before relying on the long form, and give a corrected text a new version key below.
PART2_LONG_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, "
    "the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of "
    "the following applies:\n"
    "(i) Further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.\n"
    "(ii) You are a covered entity or business associate and have received the record for treatment, payment, or "
    "health care operations, or\n"
    "(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part "
    "164, subparts A and E.\n"
    "A general authorization for the release of medical or other information is NOT sufficient to meet the required "
    "elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)


class NoticeForm(models.TextChoices):
    """Which of the two statements of §2.32(a) an organization stamps on what it discloses."""

    SHORT = "short", _("Short form (42 CFR §2.32(a)(2))")
    LONG = "long", _("Long form (42 CFR §2.32(a)(1))")


@dataclass(frozen=True)
class Notice:
    """One wording of one form of the notice. `version` is what a disclosure record keeps."""

    version: str
    form: str
    text: str
    source: str


NOTICES: dict[str, Notice] = {
    notice.version: notice
    for notice in (
        Notice("part2-2024-short", NoticeForm.SHORT, PART2_SHORT_NOTICE, "42 CFR §2.32(a)(2), 89 FR 12472 (2024)"),
        Notice("part2-2024-long", NoticeForm.LONG, PART2_LONG_NOTICE, "42 CFR §2.32(a)(1), 89 FR 12472 (2024)"),
    )
}

# The wording in use today for each form. A new wording gets a new key in NOTICES and replaces the key here;
# the old one stays in NOTICES so that earlier disclosures still name a known version.
CURRENT_VERSIONS: dict[str, str] = {NoticeForm.SHORT: "part2-2024-short", NoticeForm.LONG: "part2-2024-long"}


def current_notice(form: str) -> Notice:
    """Today's wording of the short or the long form. An unknown form gets the short one, which is never wrong."""
    return NOTICES[CURRENT_VERSIONS.get(form, CURRENT_VERSIONS[NoticeForm.SHORT])]


def notice_by_version(version: str) -> Notice:
    """The wording a disclosure carried; KeyError for a version this code never issued."""
    return NOTICES[version]

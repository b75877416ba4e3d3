"""Notices that go with client records when they leave the screen: printouts, downloads and disclosures.

The wording of a legal notice is the regulation's own, so it is not marked for translation.
"""

# The short notice that accompanies each disclosure of Part 2 records: 42 CFR §2.32(a)(2) ("Statement 2") as
# amended by the 2024 final rule (89 FR 12472, 16 February 2024), quoted in IPT-DOMAIN §10. The long notice of
# §2.32(a)(1) may be used instead; it is not held here yet.
PART2_SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

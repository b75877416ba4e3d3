"""PHQ-2, the two-item depression screener: items 1 and 2 of the PHQ-9.

Source: Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item depression
screener. Med Care 2003;41:1284-1292 (a total of 3 or more was the optimal cut-point for screening).
Item texts, answer labels and LOINC item/answer codes are taken from phq9.py (the Pfizer PHQ-9 form) so that a PHQ-2
and the first two answers of a PHQ-9 are the same observations.

LOINC: panel 55757-9 "Patient Health Questionnaire 2 item (PHQ-2) [Reported]", total 55758-7 "Patient Health
Questionnaire 2 item (PHQ-2) total score [Reported]". Both verified against the LOINC panel page for 55757-9
(cdn.loinc.org/55757-9, LOINC 2.78), which lists exactly 44250-9, 44255-8 and 55758-7 as the panel's members.
IPT-DOMAIN §5 marked these codes "verify": they are confirmed.

The PHQ-2 is a screen, not a severity measure: it has no bands; a positive screen (3 or more) calls for the full PHQ-9.
"""

from iptcare.measures.instruments.base import Instrument, Screening
from iptcare.measures.instruments.phq9 import PHQ9

PHQ2 = Instrument(
    code="PHQ-2",
    name="Patient Health Questionnaire-2",
    version="2003",
    recall_period=PHQ9.recall_period,
    instructions=PHQ9.instructions,
    # The very same Item objects as PHQ-9 items 1 and 2: same keys, texts, options and LOINC codes.
    items=(PHQ9.item("1"), PHQ9.item("2")),
    method="sum",
    screening=Screening(at_least=3),
    loinc_panel="55757-9",
    loinc_total="55758-7",
    source="Kroenke, Spitzer & Williams, Med Care 2003;41:1284-1292; items 1–2 of the Pfizer PHQ-9 form "
    "(phqscreeners.com)",
    licence=PHQ9.licence,
)

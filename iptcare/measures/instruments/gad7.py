"""GAD-7, the Generalized Anxiety Disorder 7-item scale.

Source: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the
GAD-7. Arch Intern Med 2006;166:1092-1097. Bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe (cut points 5,
10 and 15, as in the article).

Texts: items 1–7 and the answer labels as on the Pfizer GAD-7 form (phqscreeners.com), checked against a reproduction
of that form (scales.arabpsychology.com, "Use ✔ to indicate your answer" layout), the CamCOPS GAD-7 strings and the
LOINC item names. The stem is the form's "Over the last 2 weeks, how often have you been bothered by the following
problems?" (CamCOPS has "by any of the following problems"). The difficulty question (item "8", recorded, never scored)
is worded as in the figure of the 2006 article, since the reproductions of the form that carry it differ.
Differences between sources, for the record:
- The 2006 article's figure prints "Feeling nervous, anxious, or on edge", "Being so restless that it's hard to sit
  still" and the answer headings "Not at all sure" / "Over half the days"; the Pfizer form (used here) has "Feeling
  nervous, anxious or on edge", "it is hard" and the PHQ answer labels ("Not at all" ... "Nearly every day").
- LOINC names item 2 (68509-9) "Over the past 2 weeks have you not been able to stop or control worrying" and item 6
  (69689-8) "Becoming easily annoyed or irritable." (with a full stop); those are LOINC's names for shared terms, not
  the form's wording.
- In LOINC's GAD-7 panel, 68509-9 carries an answer list whose third answer is LA18938-3 "More days than not"; the
  form says "More than half the days", so every item here uses the PHQ answers LA6568-5, LA6569-3, LA6570-1,
  LA6571-9, as PHQ-9 does.
LOINC: panel 69737-5, total 70274-6, items 69725-0, 68509-9, 69733-4, 69734-2, 69735-9, 69689-8, 69736-7 (checked
against a LOINC-derived FHIR Questionnaire for 69737-5 and the PHQ-SADS panel 69729-2 on loinc.org). LOINC's GAD-7
panel has no difficulty item, so item 8 carries no item code; its answers use the PHQ-9 difficulty answer codes.
Reliable change: a rise or fall of 4 or more points (NHS Talking Therapies manual; IPT-DOMAIN §6).
"""

from iptcare.measures.instruments.base import Band, Instrument, Item, ReliableChange
from iptcare.measures.instruments.phq9 import DIFFICULTY, FREQUENCY

GAD7 = Instrument(
    code="GAD-7",
    name="Generalized Anxiety Disorder 7-item scale",
    version="2006",
    recall_period="the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        Item("1", "Feeling nervous, anxious or on edge", FREQUENCY, loinc="69725-0"),
        Item("2", "Not being able to stop or control worrying", FREQUENCY, loinc="68509-9"),
        Item("3", "Worrying too much about different things", FREQUENCY, loinc="69733-4"),
        Item("4", "Trouble relaxing", FREQUENCY, loinc="69734-2"),
        Item("5", "Being so restless that it is hard to sit still", FREQUENCY, loinc="69735-9"),
        Item("6", "Becoming easily annoyed or irritable", FREQUENCY, loinc="69689-8"),
        Item("7", "Feeling afraid as if something awful might happen", FREQUENCY, loinc="69736-7"),
        Item(
            "8",
            "If you checked off any problems, how difficult have these made it for you to do your work, take care "
            "of things at home, or get along with other people?",
            DIFFICULTY,
            scored=False,
            required=False,
        ),
    ),
    method="sum",
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("severe", "Severe", 15, 21),
    ),
    reliable_change=ReliableChange(threshold=4, source="NHS Talking Therapies manual: reliable change is 4 or more"),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    source="Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006;166:1092-1097; Pfizer GAD-7 form "
    "(phqscreeners.com)",
    licence="Free to use: developed with an educational grant from Pfizer; no permission required to reproduce, "
    "translate, display or distribute.",
)

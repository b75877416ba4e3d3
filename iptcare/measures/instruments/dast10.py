"""DAST-10, the 10-item Drug Abuse Screening Test (past 12 months, drugs other than alcohol).

Source: Skinner HA. The Drug Abuse Screening Test. Addict Behav 1982;7:363-371; the DAST-10 is the 10-item short form
distributed by the Centre for Addiction and Mental Health (CAMH), Toronto, in its "drug abuse" wording. Scoring: 1 point
for each "yes", except item 3 ("Are you always able to stop using drugs when you want to?"), which scores 1 for "no";
total 0–10. Bands as in the DAST-10 guidelines: 0 no problems reported, 1–2 low, 3–5 moderate, 6–8 substantial,
9–10 severe level (the same bands as the NIDA common data element for the DAST-10 score).

Texts: instructions and items as on the CAMH DAST-10 form, checked against reproductions of it (harmonyusinc.com,
ncada-stl.org, a SurveyMonkey copy of the form) and against the DAST-20/DAST-28 forms from which the items come.
Differences between sources, for the record:
- A later version (e.g. the Australian comorbidity guidelines, Appendix W) says "Drug use" instead of "Drug abuse",
  item 2 "Do you use more than one drug at a time?" instead of "Do you abuse more than one drug at a time?", and
  updates the drug examples (benzodiazepines, opioids). That is another version; do not trend the two together.
- Reproductions differ on "nonmedical" / "non-medical" and on "e.g." with or without a comma; the CAMH form's
  "nonmedical" and "(e.g., ...)" are used here.

LOINC: panel 82666-9 "Drug Abuse Screening Test-10 [DAST-10]", total 82667-7 "Total score [DAST-10]" (loinc.org/82667-7
lists 82666-9 as its panel). No LOINC codes for the ten items could be confirmed, so the items carry none.

Licence: © 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health, Toronto. It may be reproduced
for non-commercial use (clinical, research, training) with credit to the author; any other use needs permission.
Hence restricted_licence=True.
"""

from iptcare.measures.instruments.base import Band, Instrument, Item, Option

YES_NO = (
    Option("yes", "Yes", score=1),
    Option("no", "No", score=0),
)

# Item 3 is reversed: being always able to stop scores 0, not being able to scores 1.
YES_NO_REVERSED = (
    Option("yes", "Yes", score=0),
    Option("no", "No", score=1),
)

DAST10 = Instrument(
    code="DAST-10",
    name="Drug Abuse Screening Test-10",
    version="1982",
    recall_period="the past 12 months",
    instructions=(
        "The following questions concern information about your possible involvement with drugs not including "
        'alcoholic beverages during the past 12 months. "Drug abuse" refers to (1) the use of prescribed or '
        "over-the-counter drugs in excess of the directions, and (2) any nonmedical use of drugs. The various "
        "classes of drugs may include cannabis (marijuana, hashish), solvents (e.g., paint thinner), tranquilizers "
        "(e.g., Valium), barbiturates, cocaine, stimulants (e.g., speed), hallucinogens (e.g., LSD) or narcotics "
        "(e.g., heroin). Remember that the questions do not include alcoholic beverages. Please answer every "
        "question. If you have difficulty with a statement, then choose the response that is mostly right. "
        "These questions refer to the past 12 months."
    ),
    items=(
        Item("1", "Have you used drugs other than those required for medical reasons?", YES_NO),
        Item("2", "Do you abuse more than one drug at a time?", YES_NO),
        Item("3", "Are you always able to stop using drugs when you want to?", YES_NO_REVERSED),
        Item("4", 'Have you had "blackouts" or "flashbacks" as a result of drug use?', YES_NO),
        Item("5", "Do you ever feel bad or guilty about your drug use?", YES_NO),
        Item("6", "Does your spouse (or parents) ever complain about your involvement with drugs?", YES_NO),
        Item("7", "Have you neglected your family because of your use of drugs?", YES_NO),
        Item("8", "Have you engaged in illegal activities in order to obtain drugs?", YES_NO),
        Item("9", "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?", YES_NO),
        Item(
            "10",
            "Have you had medical problems as a result of your drug use (e.g., memory loss, hepatitis, convulsions, "
            "bleeding, etc.)?",
            YES_NO,
        ),
    ),
    method="sum",
    bands=(
        Band("none", "No problems reported", 0, 0),
        Band("low", "Low level", 1, 2),
        Band("moderate", "Moderate level", 3, 5),
        Band("substantial", "Substantial level", 6, 8),
        Band("severe", "Severe level", 9, 10),
    ),
    loinc_panel="82666-9",
    loinc_total="82667-7",
    source="Skinner, Addict Behav 1982;7:363-371; CAMH DAST-10 form",
    licence="© 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health, Toronto, Canada. "
    "Free for non-commercial use (clinical, research, training) with credit to the author; other use needs "
    "permission.",
    restricted_licence=True,
)

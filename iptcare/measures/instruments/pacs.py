"""PACS, the Penn Alcohol Craving Scale: 5 items about craving for alcohol in the past week, each 0–6, summed 0–30.

Source: Flannery BA, Volpicelli JR, Pettinati HM. Psychometric properties of the Penn Alcohol Craving Scale. Alcohol
Clin Exp Res 1999;23:1289-1295. Item texts and anchors as in the PhenX Toolkit protocol "Post-acute withdrawal signs
and symptoms - Craving" (Penn Alcohol Craving Scale, past-week wording).

What was checked (search tool, stored public copies):
- Instruction, item 1 and all seven item 1 anchors against the PhenX protocol page (phenxtoolkit.org, protocol
  511702), which also states "This protocol is freely available; permission not required for use."
- Item 2 text ("At its most severe point, how strong was your craving during the past week?") and item 3 text and
  its seven anchors (None at all … More than 6 hours) against a PACS presentation program on GitHub (VB.NET forms
  frmPacsQ2/frmPacsQ3). That program writes item 3 with a comma after "During the past week"; the PhenX punctuation
  of item 1 (no comma) is followed here.
- Item 2 anchors 0–5 against a drug-use adaptation of the same anchors (an R analysis script); its anchor 6 is
  reworded for drugs, so the alcohol wording of anchor 6 is (verify).
(verify) Item 4 and 5 texts and their anchors could not be read in a primary copy; they follow the PhenX/Flannery
  form as recalled and a secondary description (anchor 0 "Not difficult at all", 6 "Would not be able to resist").

Flag: a total of 15 or more is flagged "high craving" and raises an alert. This is a product rule (IPT-DOMAIN §5),
supported by Hartwell et al., Addict Behav Rep 2019;10:100198 (≥ 15 best balanced sensitivity and specificity in
non-treatment-seeking heavy drinkers). Flannery 1999 publishes no cut-off, so no severity bands are defined.
"""

from iptcare.measures.instruments.base import Condition, Flag, Instrument, Item, Option


def _anchors(*labels: str) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in enumerate(labels))


PACS = Instrument(
    code="PACS",
    name="Penn Alcohol Craving Scale",
    version="1999",
    recall_period="the past week",
    instructions="Please read each item carefully and circle the number that best describes your craving during the "
    "past week.",
    items=(
        Item(
            "1",
            "During the past week how often have you thought about drinking or about how good a drink would make you "
            "feel?",
            _anchors(
                "Never (0 times during the past week)",
                "Rarely (1 to 2 times during the past week)",
                "Occasionally (3 to 4 times during the past week)",
                "Sometimes (5 to 10 times during the past week or 1 to 2 times per day)",
                "Often (11 to 20 times during the past week or 2 to 3 times per day)",
                "Most of the time (20 to 40 times during the past week or 3 to 6 times per day)",
                "Nearly all the time (more than 40 times during the past week or more than 6 times per day)",
            ),
        ),
        Item(
            "2",
            "At its most severe point, how strong was your craving during the past week?",
            _anchors(
                "None at all",
                "Slight, that is, a very mild urge",
                "Mild urge",
                "Moderate urge",
                "Strong urge, but easily controlled",
                "Strong urge and difficult to control",
                "Strong urge and would have drunk alcohol if it were available",
            ),
        ),
        Item(
            "3",
            "During the past week how much time have you spent thinking about drinking or about how good a drink would "
            "make you feel?",
            _anchors(
                "None at all",
                "Less than 20 minutes",
                "21 to 45 minutes",
                "46 to 90 minutes",
                "90 minutes to 3 hours",
                "Between 3 to 6 hours",
                "More than 6 hours",
            ),
        ),
        Item(
            "4",
            "During the past week how difficult would it have been to resist taking a drink if you had known a bottle "
            "was in your house?",
            _anchors(
                "Not difficult at all",
                "Very mildly difficult",
                "Mildly difficult",
                "Moderately difficult",
                "Very difficult",
                "Extremely difficult",
                "Would not be able to resist",
            ),
        ),
        Item(
            "5",
            "Keeping in mind your responses to the previous questions, please rate your overall average alcohol "
            "craving for the past week.",
            _anchors(
                "Never thought about drinking and never had the urge to drink",
                "Rarely thought about drinking and rarely had the urge to drink",
                "Occasionally thought about drinking and occasionally had the urge to drink",
                "Sometimes thought about drinking and sometimes had the urge to drink",
                "Often thought about drinking and often had the urge to drink",
                "Thought about drinking most of the time and had the urge to drink most of the time",
                "Thought about drinking nearly all of the time and had the urge to drink nearly all of the time",
            ),
        ),
    ),
    # A plain sum of the five items, 0–30; no prorating (the engine never prorates a sum).
    method="sum",
    flags=(
        # Product rule (IPT-DOMAIN §5), after Hartwell et al. 2019: 15 or more is clinically significant craving.
        Flag("high-craving", "High craving (total 15 or more)", (Condition("total", ">=", 15),), alert=True),
    ),
    source="Flannery, Volpicelli & Pettinati, Alcohol Clin Exp Res 1999;23:1289-1295; PhenX Toolkit protocol (PACS)",
    licence="Free to use: PhenX Toolkit states the protocol is freely available and permission is not required.",
)

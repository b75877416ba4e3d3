"""PHQ-9, the Patient Health Questionnaire depression module.

Source: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure.
J Gen Intern Med 2001;16:606-613; item texts and answer labels as on the Pfizer form (phqscreeners.com).
LOINC panel 44249-1, total 44261-6; item and answer codes as in LOINC (checked against the HL7 US Core
PHQ-9 Questionnaire example, which carries the LOINC content).
Reliable change: a drop or rise of 6 or more points (NHS Talking Therapies manual); response = 50 % drop,
remission = total below 5 (IPT-DOMAIN §6).
"""

from iptcare.measures.instruments.base import Band, Condition, Flag, Instrument, Item, Option, ReliableChange

FREQUENCY = (
    Option(0, "Not at all", loinc="LA6568-5"),
    Option(1, "Several days", loinc="LA6569-3"),
    Option(2, "More than half the days", loinc="LA6570-1"),
    Option(3, "Nearly every day", loinc="LA6571-9"),
)

DIFFICULTY = (
    Option(0, "Not difficult at all", loinc="LA6572-7"),
    Option(1, "Somewhat difficult", loinc="LA6573-5"),
    Option(2, "Very difficult", loinc="LA6574-3"),
    Option(3, "Extremely difficult", loinc="LA6575-0"),
)

PHQ9 = Instrument(
    code="PHQ-9",
    name="Patient Health Questionnaire-9",
    version="2001",
    recall_period="the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=(
        Item("1", "Little interest or pleasure in doing things", FREQUENCY, loinc="44250-9"),
        Item("2", "Feeling down, depressed, or hopeless", FREQUENCY, loinc="44255-8"),
        Item("3", "Trouble falling or staying asleep, or sleeping too much", FREQUENCY, loinc="44259-0"),
        Item("4", "Feeling tired or having little energy", FREQUENCY, loinc="44254-1"),
        Item("5", "Poor appetite or overeating", FREQUENCY, loinc="44251-7"),
        Item(
            "6",
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
            FREQUENCY,
            loinc="44258-2",
        ),
        Item(
            "7",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            FREQUENCY,
            loinc="44252-5",
        ),
        Item(
            "8",
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety "
            "or restless that you have been moving around a lot more than usual",
            FREQUENCY,
            loinc="44253-3",
        ),
        Item(
            "9",
            "Thoughts that you would be better off dead or of hurting yourself in some way",
            FREQUENCY,
            loinc="44260-8",
            must_answer_in_session=True,
        ),
        Item(
            "10",
            "If you checked off any problems, how difficult have these problems made it for you to do your work, "
            "take care of things at home, or get along with other people?",
            DIFFICULTY,
            loinc="69722-7",
            scored=False,
            required=False,
        ),
    ),
    method="sum",
    bands=(
        Band("none-minimal", "None–minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("moderately-severe", "Moderately severe", 15, 19),
        Band("severe", "Severe", 20, 27),
    ),
    flags=(
        # Any answer above 0 on item 9 is a safety alert. An answer of 0 is not "no risk" (IPT-DOMAIN §5).
        Flag(
            "item9-positive",
            "Thoughts of death or self-harm (item 9 above 0)",
            (Condition("item:9", ">", 0),),
            alert=True,
        ),
        # A blank item 9 is treated like a positive one until a clinician has asked (fail closed).
        Flag("item9-unanswered", "Item 9 not answered", (Condition("item:9", "unanswered"),), alert=True),
    ),
    reliable_change=ReliableChange(threshold=6, source="NHS Talking Therapies manual: reliable change is 6 or more"),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    source="Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613; Pfizer PHQ-9 form (phqscreeners.com)",
    licence="Free to use: developed with an educational grant from Pfizer; no permission required to reproduce, "
    "translate, display or distribute.",
)

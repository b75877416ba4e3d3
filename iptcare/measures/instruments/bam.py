"""BAM, the Brief Addiction Monitor (VA), Likert version: 17 items about the past 30 days, scored as three subscales.

Source: Cacciola JS, Alterman AI, DePhilippis D, Drapkin ML, Valadez C, Fala NC, Oslin D, McKay JR. Development and
initial evaluation of the Brief Addiction Monitor (BAM). J Subst Abuse Treat 2013;44:256-263 (that paper evaluated
the continuous 0–30-day version); Likert version and its scoring as in the VA BAM manual (VISN 4 MIRECC / Philadelphia
CESATE, DePhilippis et al., "BAM Manual for Use in SUD Group Treatment", 2014).

Version: this is the Likert version only. Day counts are answered in five bands (0, 1-3, 4-8, 9-15, 16-30) scored
0–4, so subscales run 0–12 (Use) and 0–24 (Risk, Protective) and the cut-offs Use ≥ 1, Risk ≥ 12, Protective ≤ 12
apply. The original continuous version (answers 0–30 days, Risk/Protective 0–180) must never be trended with this
one (IPT-DOMAIN §5).

Scoring: Use = 4+5+6; Risk = 1+2+3+8+11+15; Protective = 9+10+12+13+14+16. No total. Items 7A–7G elaborate item 6
and item 17 is an overall progress rating: recorded, never scored. Item 14 (enough income) scores No = 0, Yes = 4.

What was checked (search tool, stored public copies):
- Items 1–7C, the 7 stem, the day bands and the item 1 labels against a BAM form in jjcurtin/arc_measures (BAM/BAM.pdf,
  a clinic reprint of the VA form; its items 4–5 carry clinic-added notes that are left out here).
- Items 8–17, 7D–7G and the "Not at all … Extremely" labels against three independent transcriptions of the Likert
  form (an OpenEMR-based SQL seed, two TypeScript screeners) and the Blueprint BAM help page (subscales, cut-offs,
  scores 0 "Excellent/Not at all/No/0" to 4 "Poor/Extremely/Yes/16-30").
- Scoring and subscales against the Blueprint page, a Kipu BAM specification (Likert "BAM-IOP" maxima 12/24/24) and the
  flutter.super.site BAM summary ("Item 7 (7A-7G) are not scored", "Item 17 ... not scored").
(verify) The VA master form itself could not be read. Wording not confirmed letter for letter: item 5 (the bracketed
  drink definition), 7D–7G (brand lists), item 11 ('(i.e., around risky "people, places or things")') and item 16
  (sources differ: "did you contact or spend time" here; some transcriptions have "were you in contact or spent time").
(verify) The published self-report instruction text was not found; `instructions` below is neutral, not quoted.

Skip logic: the form says "0 (Skip to #6)" on item 4 and "If 0, skip to #8" on item 6. Items 7A–7G are asked only when
item 6 is above 0. Item 5 is NOT skipped here: the data format has no way to say "a skipped item counts as 0", and a
skipped item 5 would leave the Use subscale empty. Item 5 is therefore always asked; after 0 days of drinking its only
true answer is 0, which is what the form implies.

Licence: developed by the US Department of Veterans Affairs (VISN 4 MIRECC, Philadelphia VA CESATE); licence terms not
confirmed (no public-domain statement found), so it is marked restricted until checked.
"""

from iptcare.measures.instruments.base import Condition, Flag, Instrument, Item, Option, Subscale

HEALTH = (
    Option(0, "Excellent"),
    Option(1, "Very Good"),
    Option(2, "Good"),
    Option(3, "Fair"),
    Option(4, "Poor"),
)

# Days in the past 30, in the published bands; the value is the Likert score.
DAYS = (
    Option(0, "0"),
    Option(1, "1-3"),
    Option(2, "4-8"),
    Option(3, "9-15"),
    Option(4, "16-30"),
)

EXTENT = (
    Option(0, "Not at all"),
    Option(1, "Slightly"),
    Option(2, "Moderately"),
    Option(3, "Considerably"),
    Option(4, "Extremely"),
)

# Item 14: "Yes" (enough income) is protective and scores 4.
INCOME = (
    Option("no", "No", score=0),
    Option("yes", "Yes", score=4),
)

# Items 7A–7G are asked only after some drug use on item 6 ("If 0, skip to #8").
AFTER_DRUG_USE = Condition("item:6", ">", 0)

# The form prints this once above 7A–7G. The format has no group stem, so each sub-item carries it before its own text.
ITEM_7_STEM = "In the past 30 days, how many days did you use any of the following drugs:"


def _drug(key: str, text: str) -> Item:
    return Item(key, f"{ITEM_7_STEM} {text}", DAYS, scored=False, asked_if=AFTER_DRUG_USE)


BAM = Instrument(
    code="BAM",
    name="Brief Addiction Monitor",
    version="Likert",
    recall_period="the past 30 days",
    instructions="The following questions ask about your health, alcohol and drug use and recovery over the past 30 "
    "days. Choose the answer closest to your experience.",
    items=(
        Item("1", "In the past 30 days, would you say your physical health has been?", HEALTH),
        Item("2", "In the past 30 days, how many nights did you have trouble falling asleep or staying asleep?", DAYS),
        Item(
            "3",
            "In the past 30 days, how many days have you felt depressed, anxious, angry or very upset throughout most "
            "of the day?",
            DAYS,
        ),
        Item("4", "In the past 30 days, how many days did you drink ANY alcohol?", DAYS),
        Item(
            "5",
            "In the past 30 days, how many days did you have at least 5 drinks (if you are a man) or at least 4 drinks "
            "(if you are a woman)? [One drink is considered one shot of hard liquor (1.5 oz.) or 12-ounce can/bottle "
            "of beer or 5 ounce glass of wine.]",
            DAYS,
        ),
        Item(
            "6",
            "In the past 30 days, how many days did you use any illegal/street drugs or abuse any prescription "
            "medications?",
            DAYS,
        ),
        _drug("7A", "Marijuana (cannabis, pot, weed)?"),
        _drug(
            "7B",
            'Sedatives/Tranquilizers (e.g., "benzos", Valium, Xanax, Ativan, Ambien, "barbs", Phenobarbital, '
            "downers, etc.)?",
        ),
        _drug("7C", "Cocaine/Crack?"),
        _drug(
            "7D",
            'Other Stimulants (e.g., amphetamine, methamphetamine, Dexedrine, Ritalin, Adderall, "speed", '
            '"crystal meth", "ice", etc.)?',
        ),
        _drug(
            "7E",
            "Opiates (e.g., Heroin, Morphine, Dilaudid, Demerol, Oxycontin, oxy, codeine (Tylenol 2,3,4), Percocet, "
            "Vicodin, Fentanyl, etc.)?",
        ),
        _drug("7F", "Inhalants (glues, adhesives, nail polish remover, paint thinner, etc.)?"),
        _drug(
            "7G",
            "Other drugs (steroids, non-prescription sleep/diet pills, Benadryl, Ephedra, other over-the-counter/"
            "unknown medications)?",
        ),
        Item(
            "8",
            "In the past 30 days, how much were you bothered by cravings or urges to drink alcohol or use drugs?",
            EXTENT,
        ),
        Item(
            "9",
            "How confident are you in your ability to be completely abstinent (clean) from alcohol and drugs in the "
            "next 30 days?",
            EXTENT,
        ),
        Item(
            "10",
            "In the past 30 days, how many days did you attend self-help meetings like AA or NA to support your "
            "recovery?",
            DAYS,
        ),
        Item(
            "11",
            "In the past 30 days, how many days were you in any situations or with any people that might put you at "
            'an increased risk for using alcohol or drugs (i.e., around risky "people, places or things")?',
            DAYS,
        ),
        Item("12", "Does your religion or spirituality help support your recovery?", EXTENT),
        Item(
            "13",
            "In the past 30 days, how many days did you spend much of the time at work, school, or doing volunteer "
            "work?",
            DAYS,
        ),
        Item(
            "14",
            "Do you have enough income (from legal sources) to pay for necessities such as housing, transportation, "
            "food and clothing for yourself and your dependents?",
            INCOME,
        ),
        Item(
            "15",
            "In the past 30 days, how much have you been bothered by arguments or problems getting along with any "
            "family members or friends?",
            EXTENT,
        ),
        Item(
            "16",
            "In the past 30 days, how many days did you contact or spend time with any family members or friends who "
            "are supportive of your recovery?",
            DAYS,
        ),
        # An overall progress rating, recorded but in no subscale. Stored as given (Not at all = 0 … Extremely = 4).
        Item(
            "17",
            "How satisfied are you with your progress toward achieving your recovery goals?",
            EXTENT,
            scored=False,
        ),
    ),
    # No total: the BAM is read item by item and by its three subscales.
    method="none",
    subscales=(
        Subscale("use", "Use", ("4", "5", "6")),
        Subscale("risk", "Risk factors", ("1", "2", "3", "8", "11", "15")),
        Subscale("protective", "Protective factors", ("9", "10", "12", "13", "14", "16")),
    ),
    flags=(
        Flag("any-use", "Any use (Use subscale 1 or more)", (Condition("subscale:use", ">=", 1),)),
        Flag("risk-high", "Risk factors 12 or more", (Condition("subscale:risk", ">=", 12),)),
        Flag("protective-low", "Protective factors 12 or less", (Condition("subscale:protective", "<=", 12),)),
    ),
    source="Cacciola et al., J Subst Abuse Treat 2013;44:256-263; VA BAM manual (VISN 4 MIRECC / Philadelphia CESATE), "
    "Likert version",
    licence="Developed by the US Department of Veterans Affairs; licence terms not confirmed (treated as restricted "
    "until checked).",
    restricted_licence=True,
    # Instrument-wide direction only: Use and Risk improve downwards, Protective upwards (see the report on the format).
    higher_is_better=False,
)

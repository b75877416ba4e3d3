"""C-SSRS screener, the Columbia-Suicide Severity Rating Scale, Screen Version - Recent: six yes/no questions and a
recency follow-up, triaged into risk levels (not summed).

Source: Columbia-Suicide Severity Rating Scale, Screen Version - Recent, © 2008 The Research Foundation for Mental
Hygiene, Inc. (Posner K et al., New York State Psychiatric Institute / Columbia Lighthouse Project,
cssrs.columbia.edu); validation: Posner K et al., Am J Psychiatry 2011;168:1266-1277. Triage as in Columbia's "Screen
with Triage Points" versions.
LOINC panel 93373-9 "Columbia - suicide severity rating scale screener - recent [C-SSRS]"; items 93246-7, 93247-5,
93248-3, 93249-1, 93250-9, 93267-3 and 93269-9 (the recency follow-up); answers Yes LA33-6, No LA32-8.

What was checked (search tool, stored public copies):
- Item texts 1–6 against the LOINC-derived FHIR Questionnaire for 93373-9 (LHC-Forms export), a transcription of the
  Columbia "Screening Version - Since Last Contact" form, and several implementations; all agree word for word.
- The skip rule ("If YES to 2, ask questions 3, 4, 5, and 6. If NO to 2, go directly to question 6.") against the
  Columbia form transcription and the LOINC Questionnaire (enableWhen on item 2 for items 3–5; item 6 always shown).
- Item 6a: the Columbia 2008 form (as transcribed from the CMS-hosted PDF "cssrs-screen-version-instrument.pdf")
  reads "If YES, ask: Was this within the past three months?"; LOINC 93269-9 displays "Was this within the past 3
  months?". The Columbia wording is used.
- Triage, from the same transcription of the 2008 colour-coded form and of Columbia's 2026 "Screener with Triage
  Points for Primary Care": items 1–2 yellow (low), item 3 orange (moderate), items 4–5 red (high), item 6 with 6a
  yes red (high), item 6 with 6a no, i.e. lifetime behaviour more than 3 months ago, orange (moderate). Columbia's
  risk-identification page groups "a recent (past month) 'yes' to question 4 or 5 ... and/or any recent (past 3
  months) behavior" as the highest concern.

Licence: © The Research Foundation for Mental Hygiene, Inc.; Columbia describes the screener as free to use in
clinical and community settings. The terms for use inside commercial software were not confirmed from a primary
source (verify), so it is marked restricted until checked.
"""

from iptcare.measures.instruments.base import Band, Condition, Flag, Instrument, Item, Option

YES_NO = (
    Option("yes", "Yes", score=1, loinc="LA33-6"),
    Option("no", "No", score=0, loinc="LA32-8"),
)

# "If YES to 2, ask questions 3, 4, 5, and 6. If NO to 2, go directly to question 6."
AFTER_THOUGHTS = Condition("item:2", "==", "yes")

# High risk: intent (4) or plan (5) in the past month, or suicidal behaviour in the past 3 months (6a).
HIGH_RISK = (
    Condition("item:4", "==", "yes"),
    Condition("item:5", "==", "yes"),
    Condition("item:6a", "==", "yes"),
    # Behaviour reported (6 yes) with its timing left blank: treated as recent until asked (fail closed).
    Condition("item:6a", "unanswered"),
)

CSSRS_SCREENER = Instrument(
    code="C-SSRS",
    name="Columbia-Suicide Severity Rating Scale, screener",
    version="Screen Version - Recent",
    recall_period="the past month (items 1–5); lifetime, then the past 3 months (items 6 and 6a)",
    instructions="Ask questions 1 and 2 (past month). If YES to 2, ask questions 3, 4, 5, and 6. If NO to 2, go "
    "directly to question 6. If YES to 6, ask: Was this within the past three months? Examples for question 6: "
    "Collected pills, obtained a gun, gave away valuables, wrote a will or suicide note, took out pills but didn't "
    "swallow any, held a gun but changed your mind or it was grabbed from your hand, went to the roof but didn't jump; "
    "or actually took pills, tried to shoot yourself, cut yourself, tried to hang yourself, etc.",
    items=(
        Item(
            "1",
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            YES_NO,
            loinc="93246-7",
        ),
        Item("2", "Have you actually had any thoughts of killing yourself?", YES_NO, loinc="93247-5"),
        Item(
            "3",
            "Have you been thinking about how you might do this?",
            YES_NO,
            loinc="93248-3",
            asked_if=AFTER_THOUGHTS,
        ),
        Item(
            "4",
            "Have you had these thoughts and had some intention of acting on them?",
            YES_NO,
            loinc="93249-1",
            asked_if=AFTER_THOUGHTS,
        ),
        Item(
            "5",
            "Have you started to work out or worked out the details of how to kill yourself? Do you intend to carry "
            "out this plan?",
            YES_NO,
            loinc="93250-9",
            asked_if=AFTER_THOUGHTS,
        ),
        Item(
            "6",
            "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
            YES_NO,
            loinc="93267-3",
        ),
        Item(
            "6a",
            "Was this within the past three months?",
            YES_NO,
            loinc="93269-9",
            asked_if=Condition("item:6", "==", "yes"),
        ),
    ),
    # Not summed: the risk level comes from which questions were answered yes.
    method="none",
    complete_in_session=True,
    # Tried in order; the engine gives no band while an asked question is unanswered (a missing yes could raise it).
    bands=(
        Band("high", "High risk", when=HIGH_RISK),
        # Item 6a "no" means item 6 was yes and the behaviour was more than 3 months ago: moderate (orange) on
        # Columbia's triage. Item 6 yes with 6a yes was already caught above.
        Band(
            "moderate",
            "Moderate risk",
            when=(Condition("item:3", "==", "yes"), Condition("item:6a", "==", "no")),
        ),
        Band("low", "Low risk", when=(Condition("item:1", "==", "yes"), Condition("item:2", "==", "yes"))),
        Band("none", "No risk identified on the screener", otherwise=True),
    ),
    flags=(
        # Raised even when other answers are missing: one yes here is enough.
        Flag(
            "high-risk",
            "High suicide risk (intent or plan in the past month, or behaviour in the past 3 months)",
            HIGH_RISK,
            alert=True,
        ),
    ),
    loinc_panel="93373-9",
    source="Columbia-Suicide Severity Rating Scale, Screen Version - Recent, © 2008 The Research Foundation for Mental "
    "Hygiene, Inc. (cssrs.columbia.edu); Posner et al., Am J Psychiatry 2011;168:1266-1277",
    licence="© The Research Foundation for Mental Hygiene, Inc.; free for clinical and community use per the Columbia "
    "Lighthouse Project; terms for commercial software not confirmed (treated as restricted until checked).",
    restricted_licence=True,
)

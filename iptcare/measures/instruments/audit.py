"""AUDIT, the WHO Alcohol Use Disorders Identification Test (10 items, past year).

Source: Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders Identification Test.
Guidelines for Use in Primary Care, 2nd ed. Geneva: World Health Organization, 2001 (WHO/MSD/MSB/01.6a), Box 4
(interview version). Items 1–8 score 0–4 with their own answer labels; items 9 and 10 have three answers scoring 0, 2
and 4, and those scores are the answer values (1 and 3 are not answers). Total 0–40; risk zones I 0–7, II 8–15,
III 16–19, IV 20–40 (manual, Table 3); 8 or more is a positive screen for hazardous or harmful drinking.

Texts: item wording and answer labels as in Box 4 of the manual, checked against the CamCOPS AUDIT strings (which
reproduce Box 4) and other reproductions of the WHO form; the risk zones against reproductions of the manual's Table 3
(e.g. the Australian comorbidity guidelines, Appendix U). Differences between sources, for the record:
- Box 4 has item 5 "... expected from you ..."; LOINC and most reproductions have "... expected of you ...".
- LOINC (panel 72110-0, LOINC 2.80) words items 2 and 4–8 differently, e.g. "How many standard drinks containing
  alcohol do you have on a typical day when drinking?" and "During the past year, how often have you ...", and
  labels answers "2-4 times a month", "2-3 times a week" and "7 to 9" where the manual has "2 to 4 times a month",
  "2 to 3 times a week" and "7, 8, or 9". The manual's wording is used here.
- Many reproductions (and the UK/US adaptations) change item 3 to "5 or more" drinks or item 10 to "other health care
  worker"; those are other versions and must not be trended together with this one.
- The manual tells the interviewer to skip to items 9–10 when item 1 is "Never" or items 2 and 3 are both 0; skipped
  items score 0. This definition asks for all 10 answers, so record 0 for skipped items.
LOINC: panel 72110-0, total 75624-7; items 68518-0, 68519-8, 68520-6, 97734-8, 97735-5, 97736-3, 97737-1, 97738-9,
97739-7, 97740-5 (the panel hierarchy on cdn.loinc.org/72110-0; LOINC's panel also holds a sex item, 46098-0, not
asked here). Answer codes for items 1–3 are LOINC's (answer lists LL2179-1, LL2180-9, LL2181-7, as used by several
LOINC-coded AUDIT-C forms); items 4–8 reuse item 3's codes for the same labels. The answer codes for items 9 and 10
could not be confirmed (one unvetted source gives LA32-8, LA32279-4, LA32280-2), so they are left empty.
"""

from iptcare.measures.instruments.base import Band, Instrument, Item, Option, Screening

HOW_OFTEN_DRINK = (
    Option(0, "Never", loinc="LA6270-8"),
    Option(1, "Monthly or less", loinc="LA18926-8"),
    Option(2, "2 to 4 times a month", loinc="LA18927-6"),
    Option(3, "2 to 3 times a week", loinc="LA18928-4"),
    Option(4, "4 or more times a week", loinc="LA18929-2"),
)

DRINKS_PER_DAY = (
    Option(0, "1 or 2", loinc="LA15694-5"),
    Option(1, "3 or 4", loinc="LA15695-2"),
    Option(2, "5 or 6", loinc="LA18930-0"),
    Option(3, "7, 8, or 9", loinc="LA18931-8"),
    Option(4, "10 or more", loinc="LA18932-6"),
)

FREQUENCY = (
    Option(0, "Never", loinc="LA6270-8"),
    Option(1, "Less than monthly", loinc="LA18933-4"),
    Option(2, "Monthly", loinc="LA18876-5"),
    Option(3, "Weekly", loinc="LA18891-4"),
    Option(4, "Daily or almost daily", loinc="LA18934-2"),
)

# Items 9 and 10: the answer values are the scores, 0, 2 and 4.
EVER = (
    Option(0, "No"),
    Option(2, "Yes, but not in the last year"),
    Option(4, "Yes, during the last year"),
)

AUDIT = Instrument(
    code="AUDIT",
    name="Alcohol Use Disorders Identification Test",
    version="2001",
    recall_period="the past year",
    instructions=(
        "Now I am going to ask you some questions about your use of alcoholic beverages during this past year."
    ),
    items=(
        Item("1", "How often do you have a drink containing alcohol?", HOW_OFTEN_DRINK, loinc="68518-0"),
        Item(
            "2",
            "How many drinks containing alcohol do you have on a typical day when you are drinking?",
            DRINKS_PER_DAY,
            loinc="68519-8",
        ),
        Item("3", "How often do you have six or more drinks on one occasion?", FREQUENCY, loinc="68520-6"),
        Item(
            "4",
            "How often during the last year have you found that you were not able to stop drinking once you had "
            "started?",
            FREQUENCY,
            loinc="97734-8",
        ),
        Item(
            "5",
            "How often during the last year have you failed to do what was normally expected from you because of "
            "drinking?",
            FREQUENCY,
            loinc="97735-5",
        ),
        Item(
            "6",
            "How often during the last year have you needed a first drink in the morning to get yourself going "
            "after a heavy drinking session?",
            FREQUENCY,
            loinc="97736-3",
        ),
        Item(
            "7",
            "How often during the last year have you had a feeling of guilt or remorse after drinking?",
            FREQUENCY,
            loinc="97737-1",
        ),
        Item(
            "8",
            "How often during the last year have you been unable to remember what happened the night before "
            "because you had been drinking?",
            FREQUENCY,
            loinc="97738-9",
        ),
        Item("9", "Have you or someone else been injured as a result of your drinking?", EVER, loinc="97739-7"),
        Item(
            "10",
            "Has a relative or friend or a doctor or another health worker been concerned about your drinking or "
            "suggested you cut down?",
            EVER,
            loinc="97740-5",
        ),
    ),
    method="sum",
    bands=(
        Band("zone-i", "Zone I (0–7): alcohol education", 0, 7),
        Band("zone-ii", "Zone II (8–15): simple advice", 8, 15),
        Band("zone-iii", "Zone III (16–19): simple advice plus brief counselling and continued monitoring", 16, 19),
        Band("zone-iv", "Zone IV (20–40): referral to specialist for diagnostic evaluation and treatment", 20, 40),
    ),
    screening=Screening(at_least=8),
    loinc_panel="72110-0",
    loinc_total="75624-7",
    source="Babor, Higgins-Biddle, Saunders & Monteiro, AUDIT: Guidelines for Use in Primary Care, 2nd ed., "
    "WHO 2001 (WHO/MSD/MSB/01.6a), Box 4",
    licence="World Health Organization; may be used freely (LOINC: as a WHO-approved instrument, the AUDIT is in the "
    "public domain).",
)

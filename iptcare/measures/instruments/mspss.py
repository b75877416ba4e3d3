"""MSPSS, the Multidimensional Scale of Perceived Social Support: 12 statements rated 1–7, scored as means.

Source: Zimet GD, Dahlem NW, Zimet SG, Farley GK. The Multidimensional Scale of Perceived Social Support. J Pers
Assess 1988;52:30-41. Item texts, instruction, labels and scoring as on Zimet's "Multidimensional Scale of Perceived
Social Support (MSPSS) - Scale Items and Scoring Information" sheet (G. Zimet, 2016; gzimet.wix.com/mspss).

What was checked (search tool, stored public copies):
- The instruction ("We are interested in how you feel about the following statements. Read each statement carefully.
  Indicate how you feel about each statement."), the seven labels (Very Strongly Disagree … Very Strongly Agree), the
  citation and the subscale rule ("Sum across items 1, 2, 5, & 10, then divide by 4") against a copy of Zimet's
  scoring sheet.
- All twelve item texts, in order, against several independent transcriptions (the AfterDeployment assessment data,
  a social-support form and a clinical dashboard on GitHub), which agree word for word.
- The low / moderate / high reading (mean 1–2.9, 3–5, 5.1–7) against Zimet's scoring sheet (his second suggested way
  of grouping respondents; he notes there are no population norms) and a secondary scoring guide.

Scoring: total = mean of the 12 items; subscales = mean of their four items; no reverse scoring; higher means more
perceived support. No prorating: all 12 items are needed for the total (min_answered=12), and a subscale needs its
four items.

Licence: free to use; Zimet's sheet asks users to cite Zimet et al. 1988. (The permission statement itself was not
read in a primary copy.)
"""

from iptcare.measures.instruments.base import Band, Instrument, Item, Option, Subscale

AGREEMENT = (
    Option(1, "Very Strongly Disagree"),
    Option(2, "Strongly Disagree"),
    Option(3, "Mildly Disagree"),
    Option(4, "Neutral"),
    Option(5, "Mildly Agree"),
    Option(6, "Strongly Agree"),
    Option(7, "Very Strongly Agree"),
)

MSPSS = Instrument(
    code="MSPSS",
    name="Multidimensional Scale of Perceived Social Support",
    version="1988",
    recall_period="now (no recall period)",
    instructions="We are interested in how you feel about the following statements. Read each statement carefully. "
    "Indicate how you feel about each statement.",
    items=(
        Item("1", "There is a special person who is around when I am in need.", AGREEMENT),
        Item("2", "There is a special person with whom I can share my joys and sorrows.", AGREEMENT),
        Item("3", "My family really tries to help me.", AGREEMENT),
        Item("4", "I get the emotional help and support I need from my family.", AGREEMENT),
        Item("5", "I have a special person who is a real source of comfort to me.", AGREEMENT),
        Item("6", "My friends really try to help me.", AGREEMENT),
        Item("7", "I can count on my friends when things go wrong.", AGREEMENT),
        Item("8", "I can talk about my problems with my family.", AGREEMENT),
        Item("9", "I have friends with whom I can share my joys and sorrows.", AGREEMENT),
        Item("10", "There is a special person in my life who cares about my feelings.", AGREEMENT),
        Item("11", "My family is willing to help me make decisions.", AGREEMENT),
        Item("12", "I can talk about my problems with my friends.", AGREEMENT),
    ),
    method="mean",
    # All twelve: a mean of fewer items would be a prorated score, which the source does not describe.
    min_answered=12,
    # The published reading is 1–2.9 low, 3–5 moderate, 5.1–7 high. The engine rounds means to 2 decimals, so a mean
    # such as 2.95 or 5.05 would fall between those ranges; the bands below close the gaps at two decimals (2.99 is
    # the last low value, 5.00 the last moderate one). A 12-item mean is a multiple of 1/12, so in practice the edges
    # met are 2.92 / 3.00 and 5.00 / 5.08.
    bands=(
        Band("low", "Low perceived support", 1.0, 2.99),
        Band("moderate", "Moderate perceived support", 3.0, 5.0),
        Band("high", "High perceived support", 5.01, 7.0),
    ),
    subscales=(
        Subscale("significant_other", "Significant other", ("1", "2", "5", "10"), method="mean"),
        Subscale("family", "Family", ("3", "4", "8", "11"), method="mean"),
        Subscale("friends", "Friends", ("6", "7", "9", "12"), method="mean"),
    ),
    source="Zimet, Dahlem, Zimet & Farley, J Pers Assess 1988;52:30-41; Zimet, MSPSS scale items and scoring "
    "information (2016)",
    licence="Free to use with citation of Zimet et al. 1988.",
    higher_is_better=True,
)

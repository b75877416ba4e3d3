"""AUDIT-C, the three alcohol consumption questions of the WHO AUDIT (past year).

Source: Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption questions (AUDIT-C): an
effective brief screening test for problem drinking. Arch Intern Med 1998;158:1789-1795. Cut-offs as used by the US
Department of Veterans Affairs (Bradley KA et al., Alcohol Clin Exp Res 2007;31:1208-1217): positive at 4 or more for
men and 3 or more for women; LOINC's description of the total (75626-2) states the same cut-offs.

Items, texts, answers and codes are AUDIT items 1–3 exactly as in audit.py (WHO manual, 2001, Box 4), so that an
AUDIT-C and the first three answers of an AUDIT are the same observations; total 0–12.
Version note (IPT-DOMAIN §5): the VA/Bush form words the items in the past tense ("How often did you have a drink
containing alcohol in the past year?", "How many drinks did you have on a typical day when you were drinking in the
past year?", "How often did you have 6 or more drinks on one occasion in the past year?", as reproduced in CamCOPS)
and some versions start item 2 at "0, 1, or 2" instead of "1 or 2". This definition pins the WHO wording; do not trend
it together with those versions.

Sex: the cut-off depends on sex at birth. When sex is not given, the lower (women's) cut-off of 3 is used, so that a
possible positive screen is not missed; a total of 3 for a man of unknown sex is therefore reported positive and
should be reviewed.

LOINC: panel 72109-2, total 75626-2 (loinc.org/75626-2 lists 72109-2 as its panel); items 68518-0, 68519-8, 68520-6
as in several LOINC-coded AUDIT-C forms. The HL7 US Core AUDIT-C example Questionnaire uses 68517-2 (how many times in
the past year X or more drinks were had in a day) in place of 68518-0; that is a different question.
"""

from iptcare.measures.instruments.audit import AUDIT
from iptcare.measures.instruments.base import Instrument, Screening

AUDIT_C = Instrument(
    code="AUDIT-C",
    name="Alcohol Use Disorders Identification Test – Consumption",
    version="WHO-2001-items-1-3",
    recall_period=AUDIT.recall_period,
    instructions=AUDIT.instructions,
    # The very same Item objects as AUDIT items 1–3.
    items=(AUDIT.item("1"), AUDIT.item("2"), AUDIT.item("3")),
    method="sum",
    screening=Screening(at_least=4, at_least_by_sex={"male": 4, "female": 3}, when_sex_unknown=3),
    loinc_panel="72109-2",
    loinc_total="75626-2",
    source="Bush et al., Arch Intern Med 1998;158:1789-1795; VA cut-offs (Bradley et al., Alcohol Clin Exp Res "
    "2007;31:1208-1217); item texts from the WHO AUDIT manual, 2nd ed., 2001, Box 4",
    licence=AUDIT.licence,
)

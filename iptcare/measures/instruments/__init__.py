"""Every instrument iptcare ships, by code. Add one by copying a sibling module and registering it here."""

from iptcare.measures.instruments.audit import AUDIT
from iptcare.measures.instruments.audit_c import AUDIT_C
from iptcare.measures.instruments.bam import BAM
from iptcare.measures.instruments.base import Instrument
from iptcare.measures.instruments.cssrs import CSSRS_SCREENER
from iptcare.measures.instruments.dast10 import DAST10
from iptcare.measures.instruments.gad7 import GAD7
from iptcare.measures.instruments.mspss import MSPSS
from iptcare.measures.instruments.pacs import PACS
from iptcare.measures.instruments.phq2 import PHQ2
from iptcare.measures.instruments.phq9 import PHQ9

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument
    for instrument in (PHQ9, PHQ2, GAD7, AUDIT, AUDIT_C, DAST10, BAM, PACS, MSPSS, CSSRS_SCREENER)
}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code, ignoring case ("phq-9" finds PHQ-9); KeyError when there is none."""
    for known, instrument in INSTRUMENTS.items():
        if known.lower() == code.strip().lower():
            return instrument
    raise KeyError(code)

"""Every instrument iptcare ships, by code. Add one by copying a sibling module and registering it here."""

from iptcare.measures.instruments.base import Instrument
from iptcare.measures.instruments.phq9 import PHQ9

INSTRUMENTS: dict[str, Instrument] = {instrument.code: instrument for instrument in (PHQ9,)}


def get_instrument(code: str) -> Instrument:
    """The instrument with this code, ignoring case ("phq-9" finds PHQ-9); KeyError when there is none."""
    for known, instrument in INSTRUMENTS.items():
        if known.lower() == code.strip().lower():
            return instrument
    raise KeyError(code)

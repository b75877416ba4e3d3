"""Jacobson & Truax: SE = SD·√(1−r); S_diff = √2·SE; reliable when |post − pre| > 1.96·S_diff."""

from __future__ import annotations

from dataclasses import replace

from iptcare.measures.instruments.base import ReliableChange
from iptcare.measures.instruments.phq9 import PHQ9
from iptcare.measures.scoring import change_between, reliable_change_threshold


def test_it_computes_the_jacobson_truax_criterion() -> None:
    # SD 5, r 0.84: SE = 5·0.4 = 2; S_diff = 2.828; 1.96·2.828 = 5.54.
    assert reliable_change_threshold(5, 0.84, None) == 5.54


def test_it_needs_the_change_to_exceed_a_computed_criterion() -> None:
    # SD 5, r 0.75: SE 2.5, S_diff 3.536, criterion 6.93; a drop of 6.93 is not beyond it, 6.94 is.
    instrument = replace(PHQ9, reliable_change=ReliableChange(sd=5, reliability=0.75))
    assert reliable_change_threshold(5, 0.75, None) == 6.93
    assert change_between(instrument, 20, 13.07).verdict == "no reliable change"
    assert change_between(instrument, 20, 13.06).verdict == "improved"


def test_it_has_no_verdict_without_a_rule() -> None:
    instrument = replace(PHQ9, reliable_change=None)
    change = change_between(instrument, 20, 5)
    assert (change.change, change.verdict) == (-15, None)


def test_it_reads_improvement_upwards_when_higher_is_better() -> None:
    instrument = replace(PHQ9, reliable_change=ReliableChange(threshold=1), higher_is_better=True)
    assert change_between(instrument, 3, 4.5).verdict == "improved"
    assert change_between(instrument, 4.5, 3).verdict == "deteriorated"

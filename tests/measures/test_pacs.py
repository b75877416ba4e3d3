"""PACS scored by hand from Flannery, Volpicelli & Pettinati 1999 (five items 0–6, summed 0–30); the high-craving
alert at 15 or more is the product rule in IPT-DOMAIN §5."""

from __future__ import annotations

import pytest

from iptcare.measures.instruments.pacs import PACS
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score


def answers(*values: int | None) -> dict[str, int | None]:
    return {str(number): value for number, value in enumerate(values, start=1)}


def test_it_has_five_items_each_zero_to_six() -> None:
    assert [item.key for item in PACS.items] == ["1", "2", "3", "4", "5"]
    assert all(item.allowed == [0, 1, 2, 3, 4, 5, 6] for item in PACS.items)


def test_it_runs_from_zero() -> None:
    result = score(PACS, answers(0, 0, 0, 0, 0))  # 0+0+0+0+0 = 0
    assert result.total == 0
    assert result.flags == ()


def test_it_reaches_thirty_at_most() -> None:
    result = score(PACS, answers(6, 6, 6, 6, 6))  # 6×5 = 30
    assert result.total == 30
    assert result.alerts == ("high-craving",)


def test_fourteen_is_not_flagged() -> None:
    result = score(PACS, answers(3, 3, 3, 3, 2))  # 3+3+3+3+2 = 14
    assert result.total == 14
    assert result.flags == ()
    assert result.alerts == ()


def test_fifteen_is_flagged_as_an_alert() -> None:
    result = score(PACS, answers(3, 3, 3, 3, 3))  # 3+3+3+3+3 = 15
    assert result.total == 15
    assert result.flags == ("high-craving",)
    assert result.alerts == ("high-craving",)


def test_it_does_not_prorate_a_missing_item() -> None:
    result = score(PACS, answers(6, 6, 6, 6, None))  # 24 from four items: no total, so no flag either
    assert result.total is None
    assert result.missing == ("5",)
    assert result.flags == ()


def test_it_reads_typed_answers() -> None:
    line = "1 2 3 4 5"
    assert score(PACS, parse_answer_tokens(PACS, line.split())).total == 15  # 1+2+3+4+5


def test_it_refuses_seven() -> None:
    with pytest.raises(AnswerError, match="item 2"):
        score(PACS, answers(0, 7, 0, 0, 0))

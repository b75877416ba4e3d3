"""PHQ-2: the first two PHQ-9 items, summed 0–6, positive screen at 3 or more (Kroenke et al., Med Care 2003)."""

import pytest

from iptcare.measures.instruments.phq2 import PHQ2
from iptcare.measures.instruments.phq9 import PHQ9
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score


def answers(one, two):
    return {"1": one, "2": two}


def test_items_are_phq9_items_one_and_two():
    assert [i.key for i in PHQ2.items] == ["1", "2"]
    assert PHQ2.item("1") == PHQ9.item("1")
    assert PHQ2.item("2") == PHQ9.item("2")
    assert PHQ2.item("1").text == "Little interest or pleasure in doing things"
    assert PHQ2.item("2").text == "Feeling down, depressed, or hopeless"
    assert [i.loinc for i in PHQ2.items] == ["44250-9", "44255-8"]
    assert [o.loinc for o in PHQ2.item("2").options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def test_loinc_panel_and_total():
    assert (PHQ2.loinc_panel, PHQ2.loinc_total) == ("55757-9", "55758-7")


def test_minimum_and_maximum():
    # 0 + 0 = 0; 3 + 3 = 6.
    assert score(PHQ2, answers(0, 0)).total == 0
    assert score(PHQ2, answers(3, 3)).total == 6


@pytest.mark.parametrize(
    ("one", "two", "total", "positive"),
    [
        (0, 0, 0, False),
        (1, 1, 2, False),  # 1 + 1 = 2, one below the cut-off
        (2, 1, 3, True),  # 2 + 1 = 3, the cut-off itself
        (0, 3, 3, True),  # 0 + 3 = 3
        (3, 3, 6, True),
    ],
)
def test_screening_cut_off_is_three(one, two, total, positive):
    result = score(PHQ2, answers(one, two))
    assert result.total == total
    assert result.positive is positive
    assert result.as_dict()["positive"] is positive


def test_no_severity_bands():
    assert score(PHQ2, answers(3, 3)).band is None


def test_missing_item_gives_no_total():
    result = score(PHQ2, {"1": 3, "2": None})
    assert result.total is None
    assert result.positive is None
    assert result.missing == ("2",)


def test_tokens():
    assert parse_answer_tokens(PHQ2, ["2", "1"]) == {"1": 2, "2": 1}
    assert score(PHQ2, parse_answer_tokens(PHQ2, ["3", "-"])).total is None


@pytest.mark.parametrize("tokens", [[], ["1"], ["1", "1", "1"]])
def test_wrong_number_of_answers(tokens):
    with pytest.raises(AnswerError):
        parse_answer_tokens(PHQ2, tokens)


@pytest.mark.parametrize("value", [-1, 4])
def test_answer_out_of_range(value):
    with pytest.raises(AnswerError):
        score(PHQ2, answers(value, 0))

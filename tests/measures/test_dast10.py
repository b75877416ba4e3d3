"""DAST-10: 10 yes/no items, 1 per "yes" except item 3 (1 for "no"); bands 0 / 1–2 / 3–5 / 6–8 / 9–10."""

import pytest

from iptcare.measures.instruments.dast10 import DAST10
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score

# The lowest-scoring answer to every item: "no" everywhere except item 3, where "yes" scores 0.
NOTHING = {str(n): "no" for n in range(1, 11)} | {"3": "yes"}
# The highest-scoring answers: "yes" everywhere except item 3, where "no" scores 1.
EVERYTHING = {str(n): "yes" for n in range(1, 11)} | {"3": "no"}


def with_points(points):
    """Answers scoring `points`: items 1, 2, 4, 5, ... answered "yes" in order until the points are reached."""
    given = dict(NOTHING)
    for key in ["1", "2", "4", "5", "6", "7", "8", "9", "10"][:points]:
        given[key] = "yes"
    return given


def test_items_and_texts():
    assert [i.key for i in DAST10.items] == [str(n) for n in range(1, 11)]
    assert DAST10.item("1").text == "Have you used drugs other than those required for medical reasons?"
    assert DAST10.item("3").text == "Are you always able to stop using drugs when you want to?"
    assert DAST10.item("4").text == 'Have you had "blackouts" or "flashbacks" as a result of drug use?'
    assert '"Drug abuse" refers to (1) the use of prescribed or over-the-counter drugs' in DAST10.instructions
    assert "do not include alcoholic beverages" in DAST10.instructions
    assert (DAST10.loinc_panel, DAST10.loinc_total) == ("82666-9", "82667-7")
    assert DAST10.restricted_licence is True


def test_item_three_is_reversed():
    # Everything else scores 0, so the total is item 3's score alone.
    assert score(DAST10, NOTHING | {"3": "yes"}).total == 0
    assert score(DAST10, NOTHING | {"3": "no"}).total == 1
    # Every other item: "yes" scores 1 and "no" 0.
    for key in ("1", "2", "4", "5", "6", "7", "8", "9", "10"):
        assert score(DAST10, NOTHING | {key: "yes"}).total == 1


def test_all_no_scores_one_because_of_item_three():
    # Nine "no" answers score 0; item 3 "no" (not always able to stop) scores 1.
    result = score(DAST10, {str(n): "no" for n in range(1, 11)})
    assert result.total == 1
    assert result.band == "low"


def test_minimum_and_maximum():
    assert score(DAST10, NOTHING).total == 0
    # Nine "yes" answers score 9, item 3 "no" scores 1: 10.
    assert score(DAST10, EVERYTHING).total == 10


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "none"),
        (1, "low"),  # bottom of low
        (2, "low"),  # top of low
        (3, "moderate"),
        (5, "moderate"),
        (6, "substantial"),
        (8, "substantial"),
        (9, "severe"),
    ],
)
def test_band_edges(points, band):
    result = score(DAST10, with_points(points))
    assert result.total == points
    assert result.band == band


def test_top_band_edge():
    result = score(DAST10, EVERYTHING)
    assert (result.total, result.band) == (10, "severe")


def test_tokens_are_case_insensitive():
    tokens = ["Yes", "NO", "no", "yes", "no", "no", "no", "no", "no", "no"]
    # item 1 yes = 1, item 3 no = 1, item 4 yes = 1: 3
    assert score(DAST10, parse_answer_tokens(DAST10, tokens)).total == 3


@pytest.mark.parametrize("token", ["maybe", "1", "0", "y"])
def test_only_yes_or_no(token):
    with pytest.raises(AnswerError):
        score(DAST10, parse_answer_tokens(DAST10, [token] + ["no"] * 9))


def test_missing_item_gives_no_total():
    result = score(DAST10, EVERYTHING | {"7": None})
    assert result.total is None
    assert result.band is None
    assert result.missing == ("7",)
    assert score(DAST10, parse_answer_tokens(DAST10, ["yes"] * 9 + ["-"])).total is None


@pytest.mark.parametrize("count", [0, 9, 11])
def test_wrong_number_of_answers(count):
    with pytest.raises(AnswerError):
        parse_answer_tokens(DAST10, ["no"] * count)

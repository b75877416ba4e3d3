"""GAD-7: 7 items 0–3, sum 0–21, bands 0–4 / 5–9 / 10–14 / 15–21 (Spitzer et al. 2006), reliable change 4."""

import pytest

from iptcare.measures.instruments.gad7 import GAD7
from iptcare.measures.scoring import AnswerError, change_between, parse_answer_tokens, score


def answers(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def test_items_and_codes():
    assert [i.key for i in GAD7.items] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert len(GAD7.scored_items) == 7
    assert GAD7.item("1").text == "Feeling nervous, anxious or on edge"
    assert GAD7.item("5").text == "Being so restless that it is hard to sit still"
    assert GAD7.item("7").text == "Feeling afraid as if something awful might happen"
    assert [i.loinc for i in GAD7.scored_items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert [o.label for o in GAD7.item("3").options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]
    assert [o.loinc for o in GAD7.item("3").options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert (GAD7.loinc_panel, GAD7.loinc_total) == ("69737-5", "70274-6")


def test_difficulty_item_is_recorded_but_not_scored():
    difficulty = GAD7.item("8")
    assert difficulty.scored is False
    assert difficulty.required is False
    # 3 × 7 = 21 with or without the difficulty answer.
    assert score(GAD7, answers(3, 3, 3, 3, 3, 3, 3)).total == 21
    assert score(GAD7, answers(3, 3, 3, 3, 3, 3, 3, 3)).total == 21
    assert score(GAD7, answers(0, 0, 0, 0, 0, 0, 0, 3)).total == 0


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((0, 0, 0, 0, 0, 0, 0), 0, "minimal"),  # minimum
        ((1, 1, 1, 1, 0, 0, 0), 4, "minimal"),  # 1+1+1+1 = 4, top of minimal
        ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),  # 5 × 1 = 5, bottom of mild
        ((2, 2, 2, 1, 1, 1, 0), 9, "mild"),  # 2+2+2+1+1+1 = 9, top of mild
        ((2, 2, 2, 2, 1, 1, 0), 10, "moderate"),  # 2+2+2+2+1+1 = 10, bottom of moderate
        ((2, 2, 2, 2, 2, 2, 2), 14, "moderate"),  # 7 × 2 = 14, top of moderate
        ((3, 2, 2, 2, 2, 2, 2), 15, "severe"),  # 3 + 6 × 2 = 15, bottom of severe
        ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),  # 7 × 3 = 21, maximum
    ],
)
def test_band_edges(values, total, band):
    result = score(GAD7, answers(*values))
    assert result.total == total
    assert result.band == band


def test_missing_item_gives_no_total():
    result = score(GAD7, answers(3, 3, 3, None, 3, 3, 3))
    assert result.total is None
    assert result.band is None
    assert result.missing == ("4",)


def test_tokens_with_and_without_difficulty():
    seven = parse_answer_tokens(GAD7, ["1", "1", "1", "1", "1", "0", "0"])
    assert "8" not in seven
    assert score(GAD7, seven).total == 5  # 5 × 1
    eight = parse_answer_tokens(GAD7, ["1", "1", "1", "1", "1", "0", "0", "2"])
    assert eight["8"] == 2
    assert score(GAD7, eight).total == 5
    assert score(GAD7, parse_answer_tokens(GAD7, ["1", "-", "1", "1", "1", "0", "0"])).total is None


@pytest.mark.parametrize("count", [0, 6, 9])
def test_wrong_number_of_answers(count):
    with pytest.raises(AnswerError):
        parse_answer_tokens(GAD7, ["1"] * count)


@pytest.mark.parametrize("values", [(4, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 4), (0, 0, 0, 0, 0, 0, -1)])
def test_answer_out_of_range(values):
    with pytest.raises(AnswerError):
        score(GAD7, answers(*values))


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        (15, 11, "improved"),  # 15 − 11 = 4: reaches the threshold of 4
        (15, 12, "no reliable change"),  # 15 − 12 = 3
        (8, 11, "no reliable change"),  # rise of 3
        (8, 12, "deteriorated"),  # rise of 4
    ],
)
def test_reliable_change_threshold_is_four(baseline, latest, verdict):
    change = change_between(GAD7, baseline, latest)
    assert change.threshold == 4
    assert change.verdict == verdict

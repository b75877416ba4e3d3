"""PHQ-9 scored by hand from Kroenke, Spitzer & Williams 2001 (sum of items 1–9, 0–27; bands 0–4, 5–9, 10–14,
15–19, 20–27; item 9 above 0 is a safety flag; no prorating)."""

from __future__ import annotations

import pytest

from iptcare.measures.instruments.phq9 import PHQ9
from iptcare.measures.scoring import (
    AnswerError,
    change_between,
    parse_answer_tokens,
    phq9_response_and_remission,
    score,
)


def answers(*values: int | None) -> dict[str, int | None]:
    return {str(number): value for number, value in enumerate(values, start=1)}


def total_of(total: int) -> dict[str, int]:
    """Nine answers adding up to `total`, item 9 kept at 0: fill 3s from item 1 onwards, then the remainder."""
    values = [0] * 9
    left = total
    for index in range(8):
        values[index] = min(3, left)
        left -= values[index]
    assert left == 0, "item 9 stays 0 in these band tests"
    return answers(*values)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none-minimal"),
        (4, "none-minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_it_bands_every_edge(total: int, band: str) -> None:
    result = score(PHQ9, total_of(total))
    assert (result.total, result.band) == (total, band)


def test_it_reaches_27_at_most() -> None:
    result = score(PHQ9, answers(3, 3, 3, 3, 3, 3, 3, 3, 3))
    assert (result.total, result.band) == (27, "severe")


def test_it_flags_item_9_above_zero_as_an_alert_and_not_zero() -> None:
    # 1+0+0+0+0+0+0+0+1 = 2: minimal, yet item 9 is positive.
    flagged = score(PHQ9, answers(1, 0, 0, 0, 0, 0, 0, 0, 1))
    assert flagged.total == 2
    assert flagged.band == "none-minimal"
    assert flagged.alerts == ("item9-positive",)
    assert score(PHQ9, answers(3, 3, 3, 3, 3, 3, 3, 3, 0)).flags == ()


def test_it_does_not_prorate_a_missing_item() -> None:
    result = score(PHQ9, answers(3, 3, 3, None, 3, 3, 3, 3, 3))
    assert result.total is None
    assert result.band is None
    assert result.missing == ("4",)


def test_it_still_flags_item_9_when_another_item_is_missing() -> None:
    result = score(PHQ9, answers(None, 0, 0, 0, 0, 0, 0, 0, 2))
    assert result.total is None
    assert result.alerts == ("item9-positive",)


def test_it_records_but_never_counts_the_difficulty_question() -> None:
    with_difficulty = score(PHQ9, {**answers(1, 1, 1, 1, 1, 1, 1, 1, 0), "10": 3})
    assert with_difficulty.total == 8
    assert with_difficulty.answers["10"] == 3
    assert score(PHQ9, answers(1, 1, 1, 1, 1, 1, 1, 1, 0)).missing == ()


def test_it_refuses_a_value_the_item_does_not_allow() -> None:
    with pytest.raises(AnswerError, match="item 3: 4 is not an answer"):
        score(PHQ9, answers(0, 0, 4, 0, 0, 0, 0, 0, 0))


def test_it_refuses_an_unknown_item() -> None:
    with pytest.raises(AnswerError, match="no item '11'"):
        score(PHQ9, {**answers(0, 0, 0, 0, 0, 0, 0, 0, 0), "11": 1})


def test_it_carries_the_published_texts_and_codes() -> None:
    assert [item.key for item in PHQ9.items] == [str(n) for n in range(1, 11)]
    assert PHQ9.item("1").text == "Little interest or pleasure in doing things"
    assert PHQ9.item("9").text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert PHQ9.item("9").loinc == "44260-8"
    assert [o.loinc for o in PHQ9.item("1").options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert (PHQ9.loinc_panel, PHQ9.loinc_total) == ("44249-1", "44261-6")


def test_it_reads_answers_in_item_order() -> None:
    assert parse_answer_tokens(PHQ9, ["0", "1", "2", "3", "0", "1", "2", "3", "-"]) == answers(
        0, 1, 2, 3, 0, 1, 2, 3, None
    )
    with pytest.raises(AnswerError, match="too few answers, none for item 9"):
        parse_answer_tokens(PHQ9, ["0"] * 8)
    with pytest.raises(AnswerError, match="too many answers"):
        parse_answer_tokens(PHQ9, ["0"] * 11)
    with pytest.raises(AnswerError, match="is not a number"):
        parse_answer_tokens(PHQ9, ["0"] * 8 + ["a"])


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        (18, 12, "improved"),  # drop of 6: reaches the NHS threshold of 6
        (18, 13, "no reliable change"),  # drop of 5
        (12, 18, "deteriorated"),  # rise of 6
        (12, 17, "no reliable change"),
    ],
)
def test_it_judges_reliable_change_at_six_points(baseline: int, latest: int, verdict: str) -> None:
    change = change_between(PHQ9, baseline, latest)
    assert (change.change, change.threshold, change.verdict) == (latest - baseline, 6, verdict)


def test_it_lets_a_program_override_the_threshold() -> None:
    assert change_between(PHQ9, 18, 13, threshold=5).verdict == "improved"


@pytest.mark.parametrize(
    ("baseline", "latest", "response", "remission"),
    [
        (20, 10, True, False),  # 50 % drop exactly
        (20, 11, False, False),
        (12, 4, True, True),
        (8, 5, False, False),  # 5 is not below 5
    ],
)
def test_it_decides_response_and_remission(baseline: int, latest: int, response: bool, remission: bool) -> None:
    assert phq9_response_and_remission(baseline, latest) == (response, remission)

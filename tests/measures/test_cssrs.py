"""C-SSRS Screen Version - Recent, triaged by hand from Columbia's colour-coded screener: items 4, 5 or
recent behaviour (6a yes) high; item 3 or behaviour more than 3 months ago (6 yes, 6a no) moderate; items 1–2 only
low; otherwise none. Items 3–5 are asked only after yes to 2; 6a only after yes to 6."""

from __future__ import annotations

import pytest

from iptcare.measures.instruments.cssrs import CSSRS_SCREENER
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score


def typed(line: str) -> dict[str, int | str | None]:
    return parse_answer_tokens(CSSRS_SCREENER, line.split())


def test_no_to_2_goes_straight_to_6() -> None:
    assert typed("no no no") == {"1": "no", "2": "no", "6": "no"}


def test_yes_to_2_asks_3_to_5_and_no_to_6_skips_6a() -> None:
    assert typed("yes yes no no no no") == {"1": "yes", "2": "yes", "3": "no", "4": "no", "5": "no", "6": "no"}


def test_yes_to_6_asks_6a() -> None:
    assert typed("no no yes yes") == {"1": "no", "2": "no", "6": "yes", "6a": "yes"}


def test_it_refuses_too_many_answers_for_the_path_taken() -> None:
    with pytest.raises(AnswerError, match="too many"):
        typed("no no no no")


@pytest.mark.parametrize(
    ("line", "band"),
    [
        ("no no no", "none"),
        ("yes no no", "low"),  # item 1 only
        ("no yes no no no no", "low"),  # item 2, nothing above it
        ("yes yes yes no no no", "moderate"),  # item 3
        ("no no yes no", "moderate"),  # behaviour, but not within 3 months
        ("no yes no yes no no", "high"),  # item 4
        ("no yes no no yes no", "high"),  # item 5
        ("no no yes yes", "high"),  # behaviour within 3 months
        ("yes yes yes no no yes no", "moderate"),  # item 3 and old behaviour: still moderate
        ("yes yes yes yes yes yes yes", "high"),
    ],
)
def test_it_triages_each_risk_level(line: str, band: str) -> None:
    result = score(CSSRS_SCREENER, typed(line))
    assert result.band == band
    assert result.total is None


@pytest.mark.parametrize(
    ("line", "alerted"),
    [
        ("no yes no yes no no", True),
        ("no yes no no yes no", True),
        ("no no yes yes", True),
        ("yes yes yes no no yes no", False),
        ("yes no no", False),
        ("no no no", False),
    ],
)
def test_it_alerts_on_high_risk_only(line: str, alerted: bool) -> None:
    result = score(CSSRS_SCREENER, typed(line))
    assert result.alerts == (("high-risk",) if alerted else ())


def test_an_answer_to_a_skipped_question_is_refused() -> None:
    with pytest.raises(AnswerError, match="item 3 is not asked"):
        score(CSSRS_SCREENER, {"1": "no", "2": "no", "3": "yes", "6": "no"})
    with pytest.raises(AnswerError, match="item 6a is not asked"):
        score(CSSRS_SCREENER, {"1": "no", "2": "no", "6": "no", "6a": "yes"})


def test_a_missing_answer_gives_no_band() -> None:
    result = score(CSSRS_SCREENER, {"1": "yes", "2": None, "6": "no"})
    assert result.band is None
    assert result.missing == ("2",)


def test_a_missing_recency_answer_gives_no_band_but_alerts_as_high_risk() -> None:
    # Behaviour endorsed, recency unknown: could be moderate or high, so no band; treated as recent until asked.
    result = score(CSSRS_SCREENER, {"1": "no", "2": "no", "6": "yes", "6a": None})
    assert result.band is None
    assert result.missing == ("6a",)
    assert result.alerts == ("high-risk",)


def test_a_skipped_recency_question_is_not_unanswered() -> None:
    # 6a is asked only after a yes to 6: with 6 "no" it is not blank, just not asked.
    result = score(CSSRS_SCREENER, {"1": "no", "2": "no", "6": "no"})
    assert (result.band, result.alerts) == ("none", ())


def test_a_yes_to_intent_alerts_even_with_answers_missing() -> None:
    result = score(CSSRS_SCREENER, {"1": None, "2": "yes", "3": "no", "4": "yes", "5": None, "6": None})
    assert result.band is None
    assert result.alerts == ("high-risk",)


def test_it_carries_the_loinc_codes() -> None:
    assert CSSRS_SCREENER.loinc_panel == "93373-9"
    assert [i.loinc for i in CSSRS_SCREENER.items] == [
        "93246-7",
        "93247-5",
        "93248-3",
        "93249-1",
        "93250-9",
        "93267-3",
        "93269-9",
    ]

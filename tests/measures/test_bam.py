"""BAM (Likert version) scored by hand from the VA scoring rules: Use = 4+5+6, Risk = 1+2+3+8+11+15,
Protective = 9+10+12+13+14+16 (each item 0–4, item 14 No = 0 / Yes = 4); 7A–7G and 17 recorded, never scored;
flags Use ≥ 1, Risk ≥ 12, Protective ≤ 12."""

from __future__ import annotations

import pytest

from iptcare.measures.instruments.bam import BAM
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score

DRUG_ITEMS = ("7A", "7B", "7C", "7D", "7E", "7F", "7G")


def typed(line: str) -> dict[str, int | str | None]:
    return parse_answer_tokens(BAM, line.split())


def full_set() -> dict[str, int | str | None]:
    """A complete answer set with some drug use, so 7A–7G are asked."""
    return {
        "1": 2,  # Good
        "2": 3,  # 9-15 nights
        "3": 1,  # 1-3 days
        "4": 2,  # 4-8 days
        "5": 1,  # 1-3 days
        "6": 1,  # 1-3 days
        "7A": 1,
        "7B": 0,
        "7C": 0,
        "7D": 0,
        "7E": 0,
        "7F": 0,
        "7G": 0,
        "8": 2,  # Moderately
        "9": 3,  # Considerably
        "10": 0,  # 0 days
        "11": 1,  # 1-3 days
        "12": 4,  # Extremely
        "13": 2,  # 4-8 days
        "14": "yes",  # scores 4
        "15": 3,  # Considerably
        "16": 1,  # 1-3 days
        "17": 2,  # Moderately
    }


def quiet_set() -> dict[str, int | str | None]:
    """No use at all (item 6 = 0, so 7A–7G are not asked) and every other item 0 / "no": all subscales 0."""
    answers: dict[str, int | str | None] = {key: 0 for key in ("1", "2", "3", "4", "5", "6")}
    answers.update({key: 0 for key in ("8", "9", "10", "11", "12", "13", "15", "16", "17")})
    answers["14"] = "no"
    return answers


def test_it_sums_each_subscale_for_a_full_answer_set() -> None:
    result = score(BAM, full_set())
    # Use = 4+5+6 = 2+1+1 = 4
    # Risk = 1+2+3+8+11+15 = 2+3+1+2+1+3 = 12
    # Protective = 9+10+12+13+14+16 = 3+0+4+2+4+1 = 14
    assert result.subscales == {"use": 4.0, "risk": 12.0, "protective": 14.0}
    assert result.total is None
    assert result.band is None
    assert result.flags == ("any-use", "risk-high")
    assert result.alerts == ()
    assert result.missing == ()


def test_it_never_counts_items_7a_to_7g_or_17() -> None:
    answers = full_set()
    answers.update({key: 4 for key in DRUG_ITEMS})
    answers["17"] = 0
    # Same subscales as the full set: 4, 12, 14.
    assert score(BAM, answers).subscales == {"use": 4.0, "risk": 12.0, "protective": 14.0}


def test_it_flags_any_use_from_one() -> None:
    none = quiet_set()
    assert score(BAM, none).subscales["use"] == 0.0
    assert "any-use" not in score(BAM, none).flags
    one = quiet_set()
    one["4"] = 1  # 1-3 drinking days: Use = 1 + 0 + 0 = 1
    assert score(BAM, one).subscales["use"] == 1.0
    assert "any-use" in score(BAM, one).flags


def test_it_flags_risk_from_twelve() -> None:
    eleven = quiet_set()
    eleven.update({"1": 4, "2": 4, "3": 3})  # 4+4+3+0+0+0 = 11
    result = score(BAM, eleven)
    assert result.subscales["risk"] == 11.0
    assert "risk-high" not in result.flags
    twelve = quiet_set()
    twelve.update({"1": 4, "2": 4, "3": 3, "15": 1})  # 4+4+3+0+0+1 = 12
    result = score(BAM, twelve)
    assert result.subscales["risk"] == 12.0
    assert "risk-high" in result.flags


def test_it_flags_protective_at_twelve_or_less() -> None:
    twelve = quiet_set()
    twelve.update({"9": 4, "12": 4, "14": "yes"})  # 4+0+4+0+4+0 = 12
    result = score(BAM, twelve)
    assert result.subscales["protective"] == 12.0
    assert "protective-low" in result.flags
    thirteen = quiet_set()
    thirteen.update({"9": 4, "12": 4, "14": "yes", "16": 1})  # 4+0+4+0+4+1 = 13
    result = score(BAM, thirteen)
    assert result.subscales["protective"] == 13.0
    assert "protective-low" not in result.flags


def test_it_leaves_a_subscale_empty_when_one_of_its_items_is_missing() -> None:
    answers = full_set()
    answers["8"] = None
    result = score(BAM, answers)
    # Risk lacks item 8; Use (4) and Protective (14) are whole.
    assert result.subscales == {"use": 4.0, "risk": None, "protective": 14.0}
    assert result.missing == ("8",)
    assert result.flags == ("any-use",)


def test_a_missing_protective_item_raises_no_protective_flag() -> None:
    answers = quiet_set()
    answers["14"] = None
    result = score(BAM, answers)
    assert result.subscales["protective"] is None
    assert "protective-low" not in result.flags


def test_it_asks_7a_to_7g_only_after_some_drug_use() -> None:
    # Items 1–6, 8–17 (16 answers): item 6 = 0, so 7A–7G are passed over.
    answers = typed("1 0 0 0 0 0 0 2 0 0 1 0 yes 0 2 3")
    assert not set(DRUG_ITEMS) & set(answers)
    assert answers["14"] == "yes"
    assert answers["17"] == 3
    # Answers: 1=1, 2..6=0, 8=0, 9=2, 10=0, 11=0, 12=1, 13=0, 14=yes (4), 15=0, 16=2, 17=3.
    # Use = 0+0+0 = 0; Risk = 1+0+0+0+0+0 = 1; Protective = 2+0+1+0+4+2 = 9.
    assert score(BAM, answers).subscales == {"use": 0.0, "risk": 1.0, "protective": 9.0}


def test_it_asks_7a_to_7g_after_drug_use() -> None:
    answers = typed("1 0 0 0 0 2 3 0 0 0 0 0 0 0 2 0 0 1 0 yes 0 2 3")
    assert answers["7A"] == 3
    assert [key for key in answers if key.startswith("7")] == list(DRUG_ITEMS)
    # Use = 0+0+2 = 2
    assert score(BAM, answers).subscales["use"] == 2.0


def test_it_refuses_a_drug_answer_after_no_drug_use() -> None:
    answers = quiet_set()
    answers["7A"] = 2
    with pytest.raises(AnswerError, match="7A"):
        score(BAM, answers)


def test_it_keeps_item_5_asked_after_no_drinking() -> None:
    # The format cannot score a skipped item as 0, so item 5 stays asked and the Use subscale stays whole.
    answers = quiet_set()
    answers["5"] = None
    assert score(BAM, answers).missing == ("5",)
    assert score(BAM, quiet_set()).subscales["use"] == 0.0


def test_it_refuses_a_number_for_the_income_question() -> None:
    answers = quiet_set()
    answers["14"] = 4
    with pytest.raises(AnswerError, match="14"):
        score(BAM, answers)

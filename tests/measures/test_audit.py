"""AUDIT (WHO 2001): 10 items; 1–8 score 0–4, 9–10 score 0, 2 or 4; zones I–IV; positive screen at 8 or more."""

import pytest

from iptcare.measures.instruments.audit import AUDIT
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score


def answers(*values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def test_items_and_codes():
    assert [i.key for i in AUDIT.items] == [str(n) for n in range(1, 11)]
    assert AUDIT.item("1").text == "How often do you have a drink containing alcohol?"
    assert AUDIT.item("3").text == "How often do you have six or more drinks on one occasion?"
    assert AUDIT.item("10").text == (
        "Has a relative or friend or a doctor or another health worker been concerned about your drinking or "
        "suggested you cut down?"
    )
    assert [i.loinc for i in AUDIT.items] == [
        "68518-0",
        "68519-8",
        "68520-6",
        "97734-8",
        "97735-5",
        "97736-3",
        "97737-1",
        "97738-9",
        "97739-7",
        "97740-5",
    ]
    assert (AUDIT.loinc_panel, AUDIT.loinc_total) == ("72110-0", "75624-7")


def test_answer_labels_differ_per_item():
    assert [o.label for o in AUDIT.item("1").options] == [
        "Never",
        "Monthly or less",
        "2 to 4 times a month",
        "2 to 3 times a week",
        "4 or more times a week",
    ]
    assert [o.label for o in AUDIT.item("2").options] == ["1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more"]
    for key in ("3", "4", "5", "6", "7", "8"):
        assert [o.label for o in AUDIT.item(key).options] == [
            "Never",
            "Less than monthly",
            "Monthly",
            "Weekly",
            "Daily or almost daily",
        ]
    for key in ("9", "10"):
        options = AUDIT.item(key).options
        assert [(o.value, o.label) for o in options] == [
            (0, "No"),
            (2, "Yes, but not in the last year"),
            (4, "Yes, during the last year"),
        ]
        assert [o.points for o in options] == [0, 2, 4]


def test_minimum_and_maximum():
    # 8 × 0 + 0 + 0 = 0; 8 × 4 + 4 + 4 = 40.
    assert score(AUDIT, answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).total == 0
    assert score(AUDIT, answers(4, 4, 4, 4, 4, 4, 4, 4, 4, 4)).total == 40


@pytest.mark.parametrize(
    ("values", "total", "band", "positive"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "zone-i", False),
        ((3, 2, 2, 0, 0, 0, 0, 0, 0, 0), 7, "zone-i", False),  # 3+2+2 = 7, top of zone I, not positive
        ((3, 2, 2, 1, 0, 0, 0, 0, 0, 0), 8, "zone-ii", True),  # 3+2+2+1 = 8, bottom of zone II, positive
        ((4, 2, 2, 1, 0, 0, 0, 0, 2, 4), 15, "zone-ii", True),  # 4+2+2+1 = 9, + 2 + 4 = 15, top of zone II
        ((4, 2, 2, 2, 0, 0, 0, 0, 2, 4), 16, "zone-iii", True),  # 4+2+2+2 = 10, + 2 + 4 = 16, bottom of zone III
        ((4, 3, 3, 1, 1, 1, 0, 0, 2, 4), 19, "zone-iii", True),  # 4+3+3+1+1+1 = 13, + 2 + 4 = 19, top of zone III
        ((4, 3, 3, 2, 1, 1, 0, 0, 2, 4), 20, "zone-iv", True),  # 4+3+3+2+1+1 = 14, + 2 + 4 = 20, bottom of zone IV
        ((4, 4, 4, 4, 4, 4, 4, 4, 4, 4), 40, "zone-iv", True),  # maximum
    ],
)
def test_zone_edges_and_screening(values, total, band, positive):
    result = score(AUDIT, answers(*values))
    assert result.total == total
    assert result.band == band
    assert result.positive is positive


@pytest.mark.parametrize("key", ["9", "10"])
@pytest.mark.parametrize("value", [0, 2, 4])
def test_items_nine_and_ten_accept_zero_two_four(key, value):
    given = answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) | {key: value}
    # Only this item scores: the total is its value.
    assert score(AUDIT, given).total == value


@pytest.mark.parametrize("key", ["9", "10"])
@pytest.mark.parametrize("value", [1, 3, 5])
def test_items_nine_and_ten_reject_other_values(key, value):
    given = answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) | {key: value}
    with pytest.raises(AnswerError, match=f"item {key}"):
        score(AUDIT, given)


@pytest.mark.parametrize("token", ["1", "3"])
def test_items_nine_and_ten_reject_one_and_three_as_tokens(token):
    with pytest.raises(AnswerError):
        score(AUDIT, parse_answer_tokens(AUDIT, ["0"] * 8 + [token, "0"]))
    with pytest.raises(AnswerError):
        score(AUDIT, parse_answer_tokens(AUDIT, ["0"] * 9 + [token]))


def test_items_one_to_eight_accept_zero_to_four_only():
    with pytest.raises(AnswerError):
        score(AUDIT, answers(5, 0, 0, 0, 0, 0, 0, 0, 0, 0))


def test_tokens():
    parsed = parse_answer_tokens(AUDIT, ["1", "0", "1", "0", "0", "0", "0", "0", "2", "4"])
    # 1 + 0 + 1 + 2 + 4 = 8
    assert score(AUDIT, parsed).total == 8


def test_missing_item_gives_no_total():
    result = score(AUDIT, answers(4, 4, 4, 4, 4, 4, 4, 4, 4, None))
    assert result.total is None
    assert result.band is None
    assert result.positive is None
    assert result.missing == ("10",)
    tokens = ["4"] * 4 + ["-"] + ["4"] * 5
    assert score(AUDIT, parse_answer_tokens(AUDIT, tokens)).total is None


@pytest.mark.parametrize("count", [0, 9, 11])
def test_wrong_number_of_answers(count):
    with pytest.raises(AnswerError):
        parse_answer_tokens(AUDIT, ["0"] * count)

"""AUDIT-C: AUDIT items 1–3, sum 0–12, positive at 4 or more for men and 3 or more for women (Bush 1998, VA)."""

import pytest

from iptcare.measures.instruments.audit import AUDIT
from iptcare.measures.instruments.audit_c import AUDIT_C
from iptcare.measures.scoring import AnswerError, parse_answer_tokens, score


def answers(one, two, three):
    return {"1": one, "2": two, "3": three}


def test_items_are_audit_items_one_to_three():
    assert [i.key for i in AUDIT_C.items] == ["1", "2", "3"]
    for key in ("1", "2", "3"):
        assert AUDIT_C.item(key) == AUDIT.item(key)
    assert (
        AUDIT_C.item("2").text
        == "How many drinks containing alcohol do you have on a typical day when you are drinking?"
    )
    assert [o.label for o in AUDIT_C.item("2").options][3] == "7, 8, or 9"
    assert [i.loinc for i in AUDIT_C.items] == ["68518-0", "68519-8", "68520-6"]
    assert (AUDIT_C.loinc_panel, AUDIT_C.loinc_total) == ("72109-2", "75626-2")


def test_minimum_and_maximum():
    # 0 + 0 + 0 = 0; 4 + 4 + 4 = 12.
    assert score(AUDIT_C, answers(0, 0, 0)).total == 0
    assert score(AUDIT_C, answers(4, 4, 4)).total == 12


@pytest.mark.parametrize(
    ("values", "total", "male", "female", "unknown"),
    [
        ((2, 0, 0), 2, False, False, False),  # 2 + 0 + 0 = 2: below both cut-offs
        ((2, 1, 0), 3, False, True, True),  # 2 + 1 + 0 = 3: women's cut-off; unknown sex uses the lower one
        ((2, 1, 1), 4, True, True, True),  # 2 + 1 + 1 = 4: men's cut-off
        ((0, 0, 0), 0, False, False, False),
        ((4, 4, 4), 12, True, True, True),
    ],
)
def test_screening_by_sex(values, total, male, female, unknown):
    assert score(AUDIT_C, answers(*values), sex="male").positive is male
    assert score(AUDIT_C, answers(*values), sex="female").positive is female
    assert score(AUDIT_C, answers(*values)).positive is unknown
    assert score(AUDIT_C, answers(*values), sex="other").positive is unknown
    assert score(AUDIT_C, answers(*values)).total == total


def test_no_bands():
    assert score(AUDIT_C, answers(4, 4, 4)).band is None


def test_missing_item_gives_no_total():
    result = score(AUDIT_C, answers(4, None, 4), sex="male")
    assert result.total is None
    assert result.positive is None
    assert score(AUDIT_C, parse_answer_tokens(AUDIT_C, ["4", "4", "-"])).total is None


@pytest.mark.parametrize("count", [0, 2, 4, 10])
def test_wrong_number_of_answers(count):
    with pytest.raises(AnswerError):
        parse_answer_tokens(AUDIT_C, ["1"] * count)


@pytest.mark.parametrize("value", [-1, 5])
def test_answer_out_of_range(value):
    with pytest.raises(AnswerError):
        score(AUDIT_C, answers(0, value, 0))

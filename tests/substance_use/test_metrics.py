"""Use metrics worked by hand (IPT-DOMAIN §6): missing days stay missing, heavy days by sex, the streak."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from iptcare.substance_use.metrics import (
    RecordedDay,
    SubstanceUse,
    abstinent_days_before,
    current_abstinence_streak,
    window_metrics,
)

START = dt.date(2026, 3, 1)


def day(n: int, **uses: str | None) -> RecordedDay:
    """Day `n` of March 2026. No keyword: no use. alcohol="6": six standard drinks; cannabis=None: used, no amount."""
    substances = {
        substance: SubstanceUse(True, Decimal(amount) if amount is not None else None, "")
        for substance, amount in uses.items()
    }
    return RecordedDay(dt.date(2026, 3, n), bool(uses), substances)


# Ten days, 1–10 March: two missing (4 and 7), five abstinent, three with use.
TEN_DAYS = [
    day(1),
    day(2),
    day(3, alcohol="3"),
    # 4 March: missing
    day(5),
    day(6, alcohol="4"),
    # 7 March: missing
    day(8),
    day(9, cannabis=None),
    day(10),
]


def metrics(days: list[RecordedDay], sex: str = "female", end: int = 10, **kwargs):
    return window_metrics(days, start=START, end=dt.date(2026, 3, end), sex_at_birth=sex, **kwargs)


def test_it_counts_recorded_missing_abstinent_and_use_days() -> None:
    result = metrics(TEN_DAYS)
    assert (result.days_in_window, result.days_recorded, result.days_missing) == (10, 8, 2)
    # Abstinent: 1, 2, 5, 8, 10. Use: 3, 6, 9.
    assert (result.abstinent_days, result.use_days) == (5, 3)


def test_percent_days_abstinent_counts_missing_days_as_not_abstinent() -> None:
    result = metrics(TEN_DAYS)
    # 5 abstinent ÷ 10 days in the window × 100 = 50.0 — not 5 ÷ 8, and not (5 + 2 missing) ÷ 10.
    assert result.percent_days_abstinent == 50.0
    # Of the recorded days only, labelled as such: 5 ÷ 8 × 100 = 62.5.
    assert result.percent_recorded_days_abstinent == 62.5


def test_a_window_with_nothing_recorded_has_no_percent_at_all_rather_than_zero() -> None:
    # No data is not 0 % abstinent: the caseload shows "—" for the same window, and so must every page.
    result = metrics([])
    assert (result.days_missing, result.percent_days_abstinent, result.percent_recorded_days_abstinent) == (
        10,
        None,
        None,
    )


def test_a_window_with_one_day_recorded_still_counts_the_missing_days_against_it() -> None:
    result = metrics([day(1, alcohol="2")])
    assert (result.days_recorded, result.percent_days_abstinent) == (1, 0.0)
    result = metrics([day(1)])
    assert (result.days_recorded, result.percent_days_abstinent) == (1, 10.0)


def test_it_rounds_percentages_to_one_decimal() -> None:
    # 1 abstinent day of 3 in the window: 33.333… → 33.3.
    assert window_metrics(
        [day(1)], start=START, end=dt.date(2026, 3, 3), sex_at_birth="male"
    ).percent_days_abstinent == (33.3)


def test_it_ignores_days_outside_the_window() -> None:
    result = metrics(TEN_DAYS, end=5)
    # 1–5 March: 1, 2, 3, 5 recorded (4 missing); abstinent 1, 2, 5.
    assert (result.days_in_window, result.days_recorded, result.abstinent_days) == (5, 4, 3)


@pytest.mark.parametrize(
    ("sex", "drinks", "heavy"),
    [
        ("female", "3", False),  # under the women's threshold of 4
        ("female", "3.5", False),
        ("female", "4", True),  # at the threshold: heavy
        ("male", "4", False),  # under the men's threshold of 5
        ("male", "4.5", False),
        ("male", "5", True),  # at the threshold: heavy
        ("intersex", "3", False),
        ("intersex", "4", True),  # not female or male: the lower threshold, 4
        ("unknown", "4", True),
    ],
)
def test_heavy_drinking_days_by_sex_at_the_edges(sex: str, drinks: str, heavy: bool) -> None:
    result = metrics([day(1, alcohol=drinks)], sex=sex, end=1)
    assert result.heavy_drinking_days == (1 if heavy else 0)


def test_it_says_which_heavy_drinking_threshold_it_used_and_why() -> None:
    assert metrics([], sex="female").heavy_drinking.drinks == 4
    assert metrics([], sex="male").heavy_drinking.drinks == 5
    unknown = metrics([], sex="unknown").heavy_drinking
    assert unknown.drinks == 4
    assert "not recorded as female or male" in unknown.note


def test_drinks_per_drinking_day() -> None:
    result = metrics(TEN_DAYS)
    # Drinking days 3 and 6: (3 + 4) ÷ 2 = 3.5; one of them (6 March, 4 drinks) is heavy for a woman.
    assert (result.drinking_days, result.drinks_per_drinking_day, result.heavy_drinking_days) == (2, 3.5, 1)
    # For a man neither 3 nor 4 reaches 5.
    assert metrics(TEN_DAYS, sex="male").heavy_drinking_days == 0


def test_a_drinking_day_without_a_number_counts_as_drinking_but_not_in_the_average() -> None:
    days = [day(1, alcohol="2"), day(2, alcohol=None), day(3, alcohol="7")]
    result = metrics(days, end=3)
    # Three drinking days; the average is over the two with a number: (2 + 7) ÷ 2 = 4.5.
    assert (result.drinking_days, result.drinking_days_without_amount) == (3, 1)
    assert result.drinks_per_drinking_day == 4.5
    # Only 7 reaches 4 (the day without a number is neither heavy nor light).
    assert result.heavy_drinking_days == 1


def test_drinks_per_drinking_day_is_none_without_drinking() -> None:
    assert metrics([day(1), day(2, cannabis="1")], end=2).drinks_per_drinking_day is None


def test_days_of_use_per_substance_lists_tracked_substances_with_none() -> None:
    days = [day(1, alcohol="2", cannabis="1"), day(2, cannabis=None), day(3)]
    result = metrics(days, end=3, tracked=["tobacco", "alcohol"])
    # In the order substances are listed; tobacco is the client's but was not used: 0.
    assert result.days_of_use == {"alcohol": 1, "cannabis": 2, "tobacco": 0}


def test_the_streak_counts_back_from_the_most_recent_recorded_day() -> None:
    streak = current_abstinence_streak({d.day: d.used for d in TEN_DAYS})
    # The latest recorded day is 10 March (no use); 9 March was a day of use: a streak of 1.
    assert (streak.days, streak.as_of) == (1, dt.date(2026, 3, 10))


def test_a_missing_day_breaks_the_streak() -> None:
    # 1, 2, 3 no use; 4 missing; 5, 6 no use.
    used_by_day = {dt.date(2026, 3, n): False for n in (1, 2, 3, 5, 6)}
    assert current_abstinence_streak(used_by_day).days == 2
    # With 4 March recorded as no use the six days join up.
    assert current_abstinence_streak(used_by_day | {dt.date(2026, 3, 4): False}).days == 6


def test_the_streak_is_zero_after_a_day_of_use_and_unknown_without_records() -> None:
    assert current_abstinence_streak({dt.date(2026, 3, 1): False, dt.date(2026, 3, 2): True}).days == 0
    assert (current_abstinence_streak({}).days, current_abstinence_streak({}).as_of) == (0, None)


def test_abstinent_days_before_a_day() -> None:
    used_by_day = {dt.date(2026, 3, n): False for n in range(1, 8)} | {dt.date(2026, 3, 8): True}
    # 1–7 March: seven abstinent days before the 8th.
    assert abstinent_days_before(dt.date(2026, 3, 8), used_by_day) == 7
    assert abstinent_days_before(dt.date(2026, 3, 9), used_by_day) == 0
    assert abstinent_days_before(dt.date(2026, 3, 1), used_by_day) == 0

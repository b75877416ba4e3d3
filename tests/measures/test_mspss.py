"""MSPSS scored by hand from Zimet et al. 1988 and Zimet's scoring sheet: total = mean of 12 items (1–7);
Significant other = mean of 1, 2, 5, 10; Family = 3, 4, 8, 11; Friends = 6, 7, 9, 12; low 1–2.9, moderate 3–5,
high 5.1–7 (made contiguous at two decimals); no prorating. Means are rounded to 2 decimals by the engine."""

from __future__ import annotations

import pytest

from iptcare.measures.instruments.mspss import MSPSS
from iptcare.measures.scoring import score


def answers(*values: int | None) -> dict[str, int | None]:
    assert len(values) == 12
    return {str(number): value for number, value in enumerate(values, start=1)}


def band_for(mean: float) -> str | None:
    return next((b.code for b in MSPSS.bands if b.contains(mean, {})), None)


def test_it_scores_a_worked_example() -> None:
    result = score(MSPSS, answers(7, 6, 5, 4, 7, 3, 2, 4, 5, 6, 3, 1))
    # Total: 7+6+5+4+7+3+2+4+5+6+3+1 = 53; 53 / 12 = 4.4166… → 4.42 (moderate)
    assert result.total == 4.42
    assert result.band == "moderate"
    # Significant other (1, 2, 5, 10): 7+6+7+6 = 26; 26 / 4 = 6.5
    # Family (3, 4, 8, 11): 5+4+4+3 = 16; 16 / 4 = 4.0
    # Friends (6, 7, 9, 12): 3+2+5+1 = 11; 11 / 4 = 2.75
    assert result.subscales == {"significant_other": 6.5, "family": 4.0, "friends": 2.75}


@pytest.mark.parametrize(
    ("values", "mean", "band"),
    [
        ((1,) * 12, 1.0, "low"),  # 12 / 12
        ((3,) * 11 + (2,), 2.92, "low"),  # 35 / 12 = 2.9166… → 2.92
        ((3,) * 12, 3.0, "moderate"),  # 36 / 12
        ((5,) * 12, 5.0, "moderate"),  # 60 / 12
        ((5,) * 11 + (6,), 5.08, "high"),  # 61 / 12 = 5.0833… → 5.08
        ((7,) * 12, 7.0, "high"),  # 84 / 12
    ],
)
def test_it_bands_means_at_the_edges(values: tuple[int, ...], mean: float, band: str) -> None:
    result = score(MSPSS, answers(*values))
    assert (result.total, result.band) == (mean, band)


@pytest.mark.parametrize(
    ("mean", "band"),
    [(2.99, "low"), (3.0, "moderate"), (5.0, "moderate"), (5.01, "high")],
)
def test_its_bands_leave_no_gap_at_two_decimals(mean: float, band: str) -> None:
    assert band_for(mean) == band


def test_every_two_decimal_mean_has_a_band() -> None:
    assert all(band_for(hundredths / 100) is not None for hundredths in range(100, 701))


def test_a_missing_item_leaves_no_total() -> None:
    result = score(MSPSS, answers(7, 6, 5, 4, 7, 3, 2, 4, 5, 6, 3, None))
    assert result.total is None
    assert result.band is None
    assert result.missing == ("12",)
    # Friends lacks item 12; the other subscales are whole (6.5 and 4.0 as above).
    assert result.subscales == {"significant_other": 6.5, "family": 4.0, "friends": None}


def test_higher_is_better() -> None:
    assert MSPSS.higher_is_better is True

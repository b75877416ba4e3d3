"""Use metrics for a window of days: pure functions over what was recorded, with no database.

Definitions (IPT-DOMAIN §6; Timeline Followback, Sobell & Sobell): a day that was not recorded is *missing* and is
never counted as abstinent. Percent days abstinent divides by every day of the window, so missing days lower it;
the percent of *recorded* days is given beside it, labelled as such. With no day recorded both are None ("no data"),
as on the caseload, not 0 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from iptcare.clients.models import Substance

# Heavy drinking day: this many US standard drinks or more in one day, by sex at birth (NIAAA; IPT-DOMAIN §6).
HEAVY_DRINKING_DRINKS = {"female": 4, "male": 5}
# Sex at birth recorded as intersex or not known: the lower threshold, so that no heavy day is missed.
HEAVY_DRINKING_DRINKS_OTHERWISE = 4


@dataclass(frozen=True)
class SubstanceUse:
    used: bool
    # In the substance's unit (standard drinks for alcohol); None when not given.
    amount: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class RecordedDay:
    """What was recorded for one day. A day with no RecordedDay is missing."""

    day: dt.date
    used: bool
    # The substances asked about that day, by Substance value.
    substances: Mapping[str, SubstanceUse] = field(default_factory=dict)

    @property
    def used_substances(self) -> list[str]:
        return [s for s in Substance.values if s in self.substances and self.substances[s].used]

    @property
    def drank(self) -> bool:
        alcohol = self.substances.get(Substance.ALCOHOL)
        return bool(alcohol and alcohol.used)

    @property
    def drinks(self) -> Decimal | None:
        alcohol = self.substances.get(Substance.ALCOHOL)
        return alcohol.amount if alcohol and alcohol.used else None


@dataclass(frozen=True)
class HeavyDrinkingRule:
    drinks: int
    # Why this threshold applies: shown next to the count.
    note: str


def heavy_drinking_rule(sex_at_birth: str) -> HeavyDrinkingRule:
    if sex_at_birth == "female":
        drinks = HEAVY_DRINKING_DRINKS["female"]
        return HeavyDrinkingRule(drinks, _("%(n)s or more standard drinks in a day (women).") % {"n": drinks})
    if sex_at_birth == "male":
        drinks = HEAVY_DRINKING_DRINKS["male"]
        return HeavyDrinkingRule(drinks, _("%(n)s or more standard drinks in a day (men).") % {"n": drinks})
    drinks = HEAVY_DRINKING_DRINKS_OTHERWISE
    return HeavyDrinkingRule(
        drinks,
        _(
            "%(n)s or more standard drinks in a day: sex at birth is not recorded as female or male, so the lower "
            "threshold is used."
        )
        % {"n": drinks},
    )


def is_heavy_drinking_day(day: RecordedDay, rule: HeavyDrinkingRule) -> bool:
    drinks = day.drinks
    return drinks is not None and drinks >= rule.drinks


@dataclass(frozen=True)
class WindowMetrics:
    start: dt.date
    end: dt.date
    days_in_window: int
    days_recorded: int
    days_missing: int
    abstinent_days: int
    use_days: int
    # Abstinent days ÷ days in the window × 100: missing days count against it (IPT-DOMAIN §6). None when no day
    # was recorded: a window with nothing recorded has no figure, and must never read as 0 % abstinent.
    percent_days_abstinent: float | None
    # Abstinent days ÷ recorded days × 100; None when no day was recorded.
    percent_recorded_days_abstinent: float | None
    drinking_days: int
    # Drinking days whose number of drinks was not given: neither heavy nor light, and left out of the average.
    drinking_days_without_amount: int
    heavy_drinking_days: int
    heavy_drinking: HeavyDrinkingRule
    # Standard drinks over the drinking days with a number given; None when there are none.
    drinks_per_drinking_day: float | None
    # Days of use by Substance value, in the order substances are listed.
    days_of_use: dict[str, int]


def window_metrics(
    days: Iterable[RecordedDay],
    *,
    start: dt.date,
    end: dt.date,
    sex_at_birth: str,
    tracked: Iterable[str] = (),
) -> WindowMetrics:
    """Metrics of the days from `start` to `end`, both included. Days outside the window are ignored.

    `tracked` names substances to list in days_of_use even with no day of use (the client's primary substances).
    """
    if end < start:
        raise ValueError("The window ends before it starts.")
    in_window = [d for d in days if start <= d.day <= end]
    days_in_window = (end - start).days + 1
    recorded = len(in_window)
    abstinent = sum(1 for d in in_window if not d.used)
    rule = heavy_drinking_rule(sex_at_birth)
    drinking = [d for d in in_window if d.drank]
    with_amount = [d.drinks for d in drinking if d.drinks is not None]
    listed = set(tracked) | {s for d in in_window for s in d.substances}
    return WindowMetrics(
        start=start,
        end=end,
        days_in_window=days_in_window,
        days_recorded=recorded,
        days_missing=days_in_window - recorded,
        abstinent_days=abstinent,
        use_days=recorded - abstinent,
        percent_days_abstinent=_percent(abstinent, days_in_window) if recorded else None,
        percent_recorded_days_abstinent=_percent(abstinent, recorded) if recorded else None,
        drinking_days=len(drinking),
        drinking_days_without_amount=len(drinking) - len(with_amount),
        heavy_drinking_days=sum(1 for d in drinking if is_heavy_drinking_day(d, rule)),
        heavy_drinking=rule,
        drinks_per_drinking_day=round(float(sum(with_amount) / len(with_amount)), 2) if with_amount else None,
        days_of_use={s: sum(1 for d in in_window if s in d.used_substances) for s in Substance.values if s in listed},
    )


def _percent(part: int, whole: int) -> float:
    return round(part / whole * 100, 1)


@dataclass(frozen=True)
class Streak:
    days: int
    # The most recent recorded day, where the streak ends; None when nothing was recorded.
    as_of: dt.date | None


def current_abstinence_streak(used_by_day: Mapping[dt.date, bool]) -> Streak:
    """Consecutive abstinent recorded days ending at the most recent recorded day.

    `used_by_day` maps each recorded day to whether anything was used. A missing day ends the streak, as a day of
    use does: abstinence is never assumed for a day nobody recorded.
    """
    if not used_by_day:
        return Streak(0, None)
    latest = max(used_by_day)
    return Streak(abstinent_days_before(latest + dt.timedelta(days=1), used_by_day), latest)


def abstinent_days_before(day: dt.date, used_by_day: Mapping[dt.date, bool]) -> int:
    """How many recorded abstinent days come right before `day`, without a gap."""
    count = 0
    current = day - dt.timedelta(days=1)
    while used_by_day.get(current) is False:
        count += 1
        current -= dt.timedelta(days=1)
    return count

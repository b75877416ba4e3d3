"""The shape of an instrument definition. Each instrument is data in its own module, with its source next to it.

Answers are the published answer values: integers for rating scales, "yes"/"no" for yes/no items. An item's
score is the option's `score` (which defaults to its value); `None` in an answer set means "not answered".
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Value = int | str
Answers = Mapping[str, Value | None]

_OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(frozen=True)
class Option:
    value: Value
    label: str
    # Points the option scores; defaults to the value for numeric options.
    score: int | None = None
    loinc: str = ""

    @property
    def points(self) -> int:
        if self.score is not None:
            return self.score
        if isinstance(self.value, int):
            return self.value
        raise ValueError(f"Option {self.value!r} has no score")


@dataclass(frozen=True)
class Condition:
    """A test on an answer ("item:9"), the total ("total") or a subscale ("subscale:risk").

    "unanswered" holds for an item that was asked (the skip logic reached it) but left blank, so that a rule can
    fail closed: a blank PHQ-9 item 9 is not "no risk".
    """

    on: str
    op: Literal["==", "!=", ">", ">=", "<", "<=", "unanswered"]
    value: Value | float = ""

    def holds(self, facts: Mapping[str, Value | float | None]) -> bool:
        if self.op == "unanswered":
            return self.on in facts and facts[self.on] is None
        found = facts.get(self.on)
        if found is None:
            return False
        try:
            return _OPERATORS[self.op](found, self.value)
        except TypeError:
            return False


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]
    loinc: str = ""
    # Unscored items are recorded (e.g. the PHQ-9 difficulty question) but never counted.
    scored: bool = True
    # Optional items may be left out without making the total incomplete.
    required: bool = True
    # Skip logic: the item is asked only when this holds for the answers before it.
    asked_if: Condition | None = None
    # A clinician giving the questionnaire in session must not leave it blank (e.g. PHQ-9 item 9).
    must_answer_in_session: bool = False

    def option(self, value: Value) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    @property
    def allowed(self) -> list[Value]:
        return [o.value for o in self.options]


@dataclass(frozen=True)
class Band:
    """A severity band: totals from `low` to `high` inclusive, or, for rule-based instruments, `when` any holds.

    Rule-based bands are tried in order; a band with `otherwise=True` catches what no earlier band matched.
    """

    code: str
    label: str
    low: float | None = None
    high: float | None = None
    when: tuple[Condition, ...] = ()
    otherwise: bool = False

    def contains(self, total: float | None, facts: Mapping[str, Value | float | None]) -> bool:
        if self.otherwise:
            return True
        if self.when:
            return any(c.holds(facts) for c in self.when)
        return total is not None and self.low is not None and self.high is not None and self.low <= total <= self.high


@dataclass(frozen=True)
class Subscale:
    key: str
    label: str
    items: tuple[str, ...]
    method: Literal["sum", "mean"] = "sum"


@dataclass(frozen=True)
class Flag:
    """Something a clinician must see; `alert` flags raise a safety alert when stored."""

    key: str
    label: str
    any_of: tuple[Condition, ...]
    alert: bool = False


@dataclass(frozen=True)
class Screening:
    """A positive-screen cut-off on the total, optionally different by sex at birth."""

    at_least: float
    at_least_by_sex: Mapping[str, float] = field(default_factory=dict)
    # Used when sex is not given. The lower cut-off errs towards further assessment.
    when_sex_unknown: float | None = None

    def cut_off(self, sex: str | None) -> float:
        """The total from which the screen is positive, for this sex at birth ("female", "male" or None)."""
        if sex in self.at_least_by_sex:
            return self.at_least_by_sex[sex]  # type: ignore[index]
        if self.at_least_by_sex and self.when_sex_unknown is not None:
            return self.when_sex_unknown
        return self.at_least


@dataclass(frozen=True)
class ReliableChange:
    """Jacobson & Truax: reliable when |post − pre| > 1.96 · √2 · SD · √(1 − r); `threshold` overrides it."""

    sd: float | None = None
    reliability: float | None = None
    threshold: float | None = None
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    version: str
    recall_period: str
    instructions: str
    items: tuple[Item, ...]
    source: str
    licence: str
    # How the total is made: a sum, a mean of the scored items, or none (rule-based instruments).
    method: Literal["sum", "mean", "none"] = "sum"
    # Scored items that must be answered for a total; None means all of them (no prorating).
    min_answered: int | None = None
    bands: tuple[Band, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    flags: tuple[Flag, ...] = ()
    screening: Screening | None = None
    reliable_change: ReliableChange | None = None
    loinc_panel: str = ""
    loinc_total: str = ""
    # True where the licence limits use (shown in the README and on the form).
    restricted_licence: bool = False
    # Direction of improvement: most instruments improve downwards; MSPSS and the BAM protective score upwards.
    higher_is_better: bool = False
    # In session, every question the skip logic asks must be answered (the C-SSRS screener).
    complete_in_session: bool = False

    def item(self, key: str) -> Item:
        for candidate in self.items:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    @property
    def score_range(self) -> tuple[float, float] | None:
        """The lowest and highest total the rule can give (AUDIT-C 0–12, MSPSS 1–7); None without a total."""
        scored = self.scored_items
        if self.method == "none" or not scored:
            return None
        lows = [min(option.points for option in item.options) for item in scored]
        highs = [max(option.points for option in item.options) for item in scored]
        if self.method == "sum":
            return float(sum(lows)), float(sum(highs))
        return float(min(lows)), float(max(highs))

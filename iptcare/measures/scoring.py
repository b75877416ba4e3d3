"""Scoring: pure functions from answers to scores, bands, flags and change. No database, no Django.

The rules come from each instrument's definition (iptcare/measures/instruments/), so this module knows no
instrument by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from iptcare.measures.instruments.base import Answers, Instrument, Item, Value

UNANSWERED_MARK = "-"


class AnswerError(ValueError):
    """Answers that do not fit the instrument: the message names the item and the problem."""


@dataclass(frozen=True)
class Score:
    instrument: str
    version: str
    total: float | None
    band: str | None
    band_label: str | None
    subscales: dict[str, float | None]
    flags: tuple[str, ...]
    alerts: tuple[str, ...]
    positive: bool | None
    # Items that were asked (given the skip logic) and required, but not answered.
    missing: tuple[str, ...]
    answers: dict[str, Value | None] = field(default_factory=dict)
    is_screening: bool = False

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "band": self.band,
            "band_label": self.band_label,
            "subscales": self.subscales,
            "flags": list(self.flags),
            "missing": list(self.missing),
        }
        if self.is_screening:
            data["positive"] = self.positive
        return data


def asked_items(instrument: Instrument, answers: Answers) -> list[Item]:
    """The items asked, given the answers so far (skip logic)."""
    facts = _item_facts(answers)
    return [item for item in instrument.items if item.asked_if is None or item.asked_if.holds(facts)]


def validate(instrument: Instrument, answers: Answers) -> dict[str, Value | None]:
    """Answers keyed by item, checked against the definition; raises AnswerError naming the first problem."""
    known = {item.key for item in instrument.items}
    unknown = [key for key in answers if key not in known]
    if unknown:
        raise AnswerError(f"{instrument.code} has no item {unknown[0]!r}")
    clean: dict[str, Value | None] = {}
    for item in instrument.items:
        value = answers.get(item.key)
        if value is not None and item.option(value) is None:
            allowed = ", ".join(str(v) for v in item.allowed)
            raise AnswerError(f"{instrument.code} item {item.key}: {value!r} is not an answer (allowed: {allowed})")
        clean[item.key] = value
    asked = {item.key for item in asked_items(instrument, clean)}
    for item in instrument.items:
        if item.key not in asked and clean[item.key] is not None:
            raise AnswerError(f"{instrument.code} item {item.key} is not asked after the answers given before it")
    return clean


def score(instrument: Instrument, answers: Answers, *, sex: str | None = None) -> Score:
    """Score one set of answers. Missing answers stay missing: a total needs the answers its rule requires."""
    clean = validate(instrument, answers)
    asked = asked_items(instrument, clean)
    # Only asked items are facts: "unanswered" must never hold for a question the skip logic passed over.
    facts: dict[str, Value | float | None] = {f"item:{i.key}": clean[i.key] for i in asked}
    points = {i.key: i.option(clean[i.key]).points for i in asked if i.scored and clean[i.key] is not None}  # type: ignore[union-attr]

    total = _total(instrument, [i for i in asked if i.scored], points)
    subscales = {s.key: _combine([points.get(k) for k in s.items], s.method) for s in instrument.subscales}
    facts["total"] = total
    facts.update({f"subscale:{key}": value for key, value in subscales.items()})

    missing = tuple(i.key for i in asked if i.required and clean[i.key] is None)
    # A rule-based band (no total) is only given on complete answers: a missing "yes" could change it.
    rule_band_allowed = instrument.method != "none" or not missing
    band = next((b for b in instrument.bands if b.contains(total, facts)), None) if rule_band_allowed else None
    flags = tuple(f.key for f in instrument.flags if any(c.holds(facts) for c in f.any_of))
    alerts = tuple(f.key for f in instrument.flags if f.alert and f.key in flags)
    return Score(
        instrument=instrument.code,
        version=instrument.version,
        total=total,
        band=band.code if band else None,
        band_label=band.label if band else None,
        subscales=subscales,
        flags=flags,
        alerts=alerts,
        positive=_positive(instrument, total, sex),
        missing=missing,
        answers=clean,
        is_screening=instrument.screening is not None,
    )


def _item_facts(answers: Answers) -> dict[str, Value | float | None]:
    return {f"item:{key}": value for key, value in answers.items()}


def _total(instrument: Instrument, scored: list[Item], points: Mapping[str, int]) -> float | None:
    if instrument.method == "none" or not scored:
        return None
    answered = [points[i.key] for i in scored if i.key in points]
    needed = len(scored) if instrument.min_answered is None else instrument.min_answered
    if len(answered) < needed or not answered:
        return None
    if instrument.method == "sum":
        # A sum is never prorated: with an item missing it would not mean the same thing.
        return float(sum(answered)) if len(answered) == len(scored) else None
    return round(sum(answered) / len(answered), 2)


def _combine(values: Sequence[int | None], method: str) -> float | None:
    if not values or any(v is None for v in values):
        return None
    numbers = [v for v in values if v is not None]
    if method == "sum":
        return float(sum(numbers))
    return round(sum(numbers) / len(numbers), 2)


def _positive(instrument: Instrument, total: float | None, sex: str | None) -> bool | None:
    rule = instrument.screening
    if rule is None or total is None:
        return None
    return total >= rule.cut_off(sex)


def parse_answer_tokens(instrument: Instrument, tokens: Sequence[str]) -> dict[str, Value | None]:
    """Answers given in item order, as typed on a command line; "-" marks an unanswered item.

    Items the skip logic does not ask are passed over, so a C-SSRS screener takes only the answers it asks for.
    Trailing optional items (e.g. the PHQ-9 difficulty question) may be left out.
    """
    answers: dict[str, Value | None] = {}
    remaining = list(tokens)
    for item in instrument.items:
        if item.asked_if is not None and not item.asked_if.holds(_item_facts(answers)):
            continue
        if not remaining:
            if item.required:
                raise AnswerError(f"{instrument.code}: too few answers, none for item {item.key}")
            continue
        answers[item.key] = _typed(instrument, item, remaining.pop(0))
    if remaining:
        raise AnswerError(f"{instrument.code}: too many answers ({len(remaining)} left over after the last item)")
    return answers


def _typed(instrument: Instrument, item: Item, token: str) -> Value | None:
    if token == UNANSWERED_MARK:
        return None
    numeric = all(isinstance(v, int) for v in item.allowed)
    if numeric:
        try:
            return int(token)
        except ValueError:
            raise AnswerError(f"{instrument.code} item {item.key}: {token!r} is not a number") from None
    return token.strip().lower()


@dataclass(frozen=True)
class Change:
    baseline: float
    latest: float
    change: float
    threshold: float | None
    # "improved", "deteriorated", "no reliable change", or None when the instrument has no rule.
    verdict: str | None


def reliable_change_threshold(sd: float | None, reliability: float | None, threshold: float | None) -> float | None:
    """The smallest change that is reliable: a stated threshold, else 1.96 · √2 · SD · √(1 − r) (Jacobson & Truax)."""
    if threshold is not None:
        return threshold
    if sd is None or reliability is None:
        return None
    return round(1.96 * math.sqrt(2) * sd * math.sqrt(1 - reliability), 2)


def change_between(instrument: Instrument, baseline: float, latest: float, *, threshold: float | None = None) -> Change:
    """Change from baseline with its reliable-change verdict; `threshold` overrides the instrument's default.

    A change is reliable when it reaches the threshold (NHS Talking Therapies states the PHQ-9 and GAD-7
    thresholds as changes "of 6 or more" and "of 4 or more").
    """
    rule = instrument.reliable_change
    # A stated threshold ("6 or more") counts when reached; the computed Jacobson-Truax one only when exceeded.
    inclusive = threshold is not None or (rule is not None and rule.threshold is not None)
    if threshold is None and rule is not None:
        threshold = reliable_change_threshold(rule.sd, rule.reliability, rule.threshold)
    difference = latest - baseline
    verdict = None
    if threshold is not None:
        better = -difference if not instrument.higher_is_better else difference

        def reaches(amount: float) -> bool:
            return amount >= threshold if inclusive else amount > threshold

        if reaches(better):
            verdict = "improved"
        elif reaches(-better):
            verdict = "deteriorated"
        else:
            verdict = "no reliable change"
    return Change(baseline=baseline, latest=latest, change=difference, threshold=threshold, verdict=verdict)


def phq9_response_and_remission(baseline: float, latest: float) -> tuple[bool, bool]:
    """PHQ-9 response: a drop of at least 50 % from baseline; remission: a total below 5 (IPT-DOMAIN §6)."""
    response = baseline > 0 and (baseline - latest) >= baseline / 2
    return response, latest < 5

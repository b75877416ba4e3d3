"""Progress at closure: mood and anxiety at baseline and now, and substance use, reported separately (IPT-DOMAIN §6,
§7: IPT's evidence in addiction care is for co-occurring depression, so a change in use is never folded into it).

Definitions (IPT-DOMAIN §6): reliable change as measures.scoring.change_between (PHQ-9 a drop of 6 or more, GAD-7 of
4 or more, or the organization's own threshold); PHQ-9 response = a drop of at least 50 %, remission = below 5;
caseness PHQ-9 ≥ 10, GAD-7 ≥ 8, and recovery = from caseness to below it. A **non-responder** is a client with a
PHQ-9 at baseline and later whose change is not a reliable improvement; IPT-DOMAIN §1 asks that they be offered
another treatment or a new contract at closure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.ipt.models import Episode
from iptcare.measures.selectors import progress
from iptcare.substance_use.metrics import window_metrics
from iptcare.substance_use.selectors import recorded_days, use_rows

OUTCOME_INSTRUMENTS = ("PHQ-9", "GAD-7")
CASENESS = {"PHQ-9": 10, "GAD-7": 8}
# The use windows compared: the four weeks before the episode began, and the last four weeks.
USE_WINDOW_DAYS = 28


@dataclass(frozen=True)
class MeasureOutcome:
    code: str
    baseline: float
    baseline_on: dt.date
    latest: float
    latest_on: dt.date
    change: float
    threshold: float | None
    # "improved", "deteriorated", "no reliable change", or None when the instrument has no rule.
    verdict: str | None
    baseline_chosen: bool
    # PHQ-9 only.
    response: bool | None
    remission: bool | None
    # From caseness to below it; None when the baseline was below caseness.
    recovered: bool | None

    @property
    def reliable_improvement(self) -> bool:
        return self.verdict == "improved"


@dataclass(frozen=True)
class UseWindow:
    start: dt.date
    end: dt.date
    days_recorded: int
    # Abstinent days ÷ days in the window × 100 (missing days count against it); None when nothing was recorded.
    percent_days_abstinent: float | None


@dataclass(frozen=True)
class UseOutcome:
    before_episode: UseWindow
    recent: UseWindow


@dataclass(frozen=True)
class Outcomes:
    measures: dict[str, MeasureOutcome | None]
    use: UseOutcome

    @property
    def phq9(self) -> MeasureOutcome | None:
        return self.measures.get("PHQ-9")

    @property
    def gad7(self) -> MeasureOutcome | None:
        return self.measures.get("GAD-7")

    @property
    def non_responder(self) -> bool | None:
        """True without a reliable PHQ-9 improvement; None when there is no PHQ-9 at baseline and later."""
        phq9 = self.phq9
        return None if phq9 is None else not phq9.reliable_improvement

    @property
    def use_rows(self) -> list[tuple[str, UseWindow]]:
        return [
            (_("Four weeks before the episode"), self.use.before_episode),
            (_("The last four weeks"), self.use.recent),
        ]

    def as_json(self) -> dict[str, Any]:
        """What the closure keeps: the figures as they were when it was recorded."""
        return {
            "measures": {code: _jsonable(asdict(m)) if m else None for code, m in self.measures.items()},
            "use": _jsonable(asdict(self.use)),
            "non_responder": self.non_responder,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def measure_outcome(episode: Episode, code: str) -> MeasureOutcome | None:
    """Baseline (the chosen one, else the first complete administration) against the latest."""
    found = progress(episode.client, code)
    if found is None:
        return None
    baseline, latest = found.baseline.total, found.latest.total
    caseness = CASENESS.get(code)
    recovered = None
    if caseness is not None and baseline >= caseness:
        recovered = latest < caseness
    return MeasureOutcome(
        code=code,
        baseline=baseline,
        baseline_on=timezone.localtime(found.baseline.administered_at).date(),
        latest=latest,
        latest_on=timezone.localtime(found.latest.administered_at).date(),
        change=found.change.change,
        threshold=found.change.threshold,
        verdict=found.change.verdict,
        baseline_chosen=found.baseline_chosen,
        response=found.response,
        remission=found.remission,
        recovered=recovered,
    )


def use_window(episode: Episode, start: dt.date, end: dt.date) -> UseWindow:
    days, _sources = recorded_days(use_rows(episode.client, start, end))
    if not days:
        return UseWindow(start, end, 0, None)
    metrics = window_metrics(days.values(), start=start, end=end, sex_at_birth=episode.client.sex_at_birth)
    return UseWindow(start, end, metrics.days_recorded, metrics.percent_days_abstinent)


def outcomes_for(episode: Episode, today: dt.date | None = None) -> Outcomes:
    today = today or timezone.localdate()
    window = dt.timedelta(days=USE_WINDOW_DAYS - 1)
    before_end = episode.start_date - dt.timedelta(days=1)
    use = UseOutcome(
        before_episode=use_window(episode, before_end - window, before_end),
        recent=use_window(episode, today - window, today),
    )
    return Outcomes({code: measure_outcome(episode, code) for code in OUTCOME_INSTRUMENTS}, use)

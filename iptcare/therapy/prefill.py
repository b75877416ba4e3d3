"""The starting values of a note's "mood and use since the last session", from the client's daily check-ins and
use calendar (iptcare/substance_use) between the previous held session and this one.

Missing days stay missing (IPT-DOMAIN §6): the summary says how many days were not recorded, and days of use are
counted only over recorded days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.clients.models import Substance
from iptcare.substance_use.metrics import WindowMetrics, window_metrics
from iptcare.substance_use.models import CheckIn
from iptcare.substance_use.selectors import recorded_days, use_rows
from iptcare.therapy.models import SessionStatus, TherapySession

# With no earlier session held, the note looks back this far.
FIRST_SESSION_LOOKBACK = dt.timedelta(days=6)


@dataclass(frozen=True)
class CheckInEvent:
    date: dt.date
    text: str
    person: str


@dataclass(frozen=True)
class Prefill:
    start: dt.date
    end: dt.date
    mood: int | None = None
    use_days: int | None = None
    use_summary: str = ""
    # Where the values came from, in words (kept on the note); "" when nothing was recorded.
    source: str = ""
    # Interpersonal events the client named in check-ins: a reminder for the interval history.
    events: list[CheckInEvent] = field(default_factory=list)

    @property
    def has_values(self) -> bool:
        return self.mood is not None or self.use_days is not None

    def initial(self) -> dict[str, object]:
        return {"mood": self.mood, "use_days": self.use_days, "use_summary": self.use_summary}


def prefill_for(session: TherapySession) -> Prefill:
    """Three queries: the previous held session, the check-ins and the use rows of the window."""
    client = session.episode.client
    start, end, since_previous = _window(session)
    if start > end:
        return Prefill(start, end)
    check_ins = list(
        CheckIn.objects.filter(client=client, date__gte=start, date__lte=end).select_related("person").order_by("date")
    )
    days, _sources = recorded_days(use_rows(client, start, end))
    metrics = window_metrics(
        days.values(), start=start, end=end, sex_at_birth=client.sex_at_birth, tracked=client.primary_substances
    )
    moods = [c.mood for c in check_ins if c.mood is not None]
    mood = round(sum(moods) / len(moods)) if moods else None
    use_days = metrics.use_days if metrics.days_recorded else None
    events = [
        CheckInEvent(c.date, c.interpersonal_event, c.person.name if c.person else "")
        for c in check_ins
        if c.interpersonal_event
    ]
    source = _source(start, end, len(moods), metrics, since_previous) if moods or metrics.days_recorded else ""
    return Prefill(start, end, mood, use_days, _use_summary(metrics), source, events)


def _window(session: TherapySession) -> tuple[dt.date, dt.date, bool]:
    """From the day after the previous held session to the day of this one; the week before when none was held."""
    day = timezone.localdate(session.scheduled_start)
    previous = (
        TherapySession.objects.filter(
            episode_id=session.episode_id,
            status=SessionStatus.ATTENDED,
            scheduled_start__lt=session.scheduled_start,
        )
        .order_by("-scheduled_start")
        .values_list("scheduled_start", flat=True)
        .first()
    )
    if previous is None:
        return day - FIRST_SESSION_LOOKBACK, day, False
    return timezone.localdate(previous) + dt.timedelta(days=1), day, True


def _use_summary(metrics: WindowMetrics) -> str:
    if not metrics.days_recorded:
        return ""
    parts = []
    if metrics.use_days:
        text = _("Used on %(used)d of %(recorded)d recorded days") % {
            "used": metrics.use_days,
            "recorded": metrics.days_recorded,
        }
        days_of_use = metrics.days_of_use.items()
        by_substance = [f"{Substance(s).label} {count}" for s, count in days_of_use if count and s in Substance.values]
        if by_substance:
            text += " (" + ", ".join(by_substance) + ")"
        parts.append(text)
    else:
        parts.append(_("No use on %(recorded)d recorded days") % {"recorded": metrics.days_recorded})
    if metrics.days_missing:
        parts.append(_("%(missing)d days not recorded") % {"missing": metrics.days_missing})
    if metrics.heavy_drinking_days:
        parts.append(_("%(heavy)d heavy drinking days") % {"heavy": metrics.heavy_drinking_days})
    return "; ".join(parts) + "."


def _source(start: dt.date, end: dt.date, mood_count: int, metrics: WindowMetrics, since_previous: bool) -> str:
    pieces = []
    if mood_count:
        pieces.append(_("mood from %(count)d daily check-ins (mean)") % {"count": mood_count})
    if metrics.days_recorded:
        pieces.append(
            _("use from the check-ins and use calendar (%(recorded)d of %(days)d days recorded)")
            % {"recorded": metrics.days_recorded, "days": metrics.days_in_window}
        )
    window = _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    if not since_previous:
        window += " " + _("(no earlier session held: the week before)")
    return _("Pre-filled: %(what)s, %(window)s.") % {"what": "; ".join(pieces), "window": window}

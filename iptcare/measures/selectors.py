"""Read-only queries and summaries for measures pages, the caseload and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.clients.models import Client
from iptcare.lib.charts import ChartBand, ChartPoint, line_chart
from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.instruments.base import Instrument, Item, Value
from iptcare.measures.models import Administration, Alert, AlertRule, ChosenBaseline, MeasureSettings
from iptcare.measures.scoring import Change, asked_items, change_between, phq9_response_and_remission

if TYPE_CHECKING:
    from iptcare.ipt.models import Episode


def history(client: Client, code: str, version: str | None = None) -> list[Administration]:
    """Current (uncorrected) administrations of one instrument version, oldest first."""
    instrument = get_instrument(code)
    return list(
        Administration.objects.current()
        .filter(client=client, instrument_code=instrument.code, instrument_version=version or instrument.version)
        .order_by("administered_at", "id")
    )


def open_episodes(client: Client) -> list[Episode]:
    """The client's open IPT episodes (at most one per format), newest first."""
    from iptcare.ipt.models import OPEN_STATUSES, Episode

    return list(Episode.objects.filter(client=client, status__in=OPEN_STATUSES).order_by("-start_date", "-id"))


def latest_by_instrument(client: Client) -> list[Administration]:
    """The latest current administration of each instrument, in the order instruments are listed."""
    latest: dict[str, Administration] = {}
    for administration in Administration.objects.current().filter(client=client).order_by("administered_at", "id"):
        latest[administration.instrument_code] = administration
    return [latest[code] for code in INSTRUMENTS if code in latest]


@dataclass(frozen=True)
class Progress:
    baseline: Administration
    latest: Administration
    change: Change
    baseline_chosen: bool = False
    # PHQ-9 only: response (a drop of 50 % or more) and remission (below 5); None for other instruments.
    response: bool | None = None
    remission: bool | None = None


def baseline_for(client: Client, code: str, scored: list[Administration]) -> tuple[Administration | None, bool]:
    """The chosen baseline when there is one (and it is still current), else the first complete administration."""
    chosen = (
        ChosenBaseline.objects.filter(client=client, instrument_code=code)
        .values_list("administration_id", flat=True)
        .first()
    )
    for administration in scored:
        if administration.pk == chosen:
            return administration, True
    return (scored[0] if scored else None), False


def progress(client: Client, code: str) -> Progress | None:
    """Baseline against the latest complete administration, with the reliable-change verdict."""
    scored = [a for a in history(client, code) if a.total is not None]
    baseline, chosen = baseline_for(client, code, scored)
    if baseline is None or scored[-1].pk == baseline.pk:
        return None
    latest = scored[-1]
    threshold = MeasureSettings.for_organization(client.organization_id).threshold_for(latest.instrument_code)
    change = change_between(latest.instrument, baseline.total, latest.total, threshold=threshold)
    response = remission = None
    if code == "PHQ-9":
        response, remission = phq9_response_and_remission(baseline.total, latest.total)
    return Progress(baseline, latest, change, chosen, response, remission)


def chart_for(client: Client, code: str, administrations: list[Administration], alert_ids: set[int]) -> str:
    instrument = get_instrument(code)
    points = [
        ChartPoint(
            when=timezone.localtime(a.administered_at).date(),
            value=a.total,
            label=f"{timezone.localtime(a.administered_at):%Y-%m-%d}: {a.total_display} {a.result_label}".strip(),
            alert=a.pk in alert_ids,
        )
        for a in administrations
        if a.total is not None
    ]
    numeric_bands = [b for b in instrument.bands if b.low is not None and b.high is not None]
    # The axis spans every total the instrument can give (AUDIT-C 0–12), never just the totals recorded so far.
    score_range = instrument.score_range
    if score_range is not None:
        y_min, y_max = score_range
    else:
        y_min = min([b.low for b in numeric_bands] or [0])
        y_max = max([b.high for b in numeric_bands] or [max((p.value for p in points), default=1)])
    # Shade each band up to where the next begins, so that no gap shows between 4 and 5.
    tops = [b.low for b in numeric_bands[1:]] + [numeric_bands[-1].high] if numeric_bands else []
    bands = [ChartBand(b.low, top, str(b.label)) for b, top in zip(numeric_bands, tops, strict=True)]
    return line_chart(
        points,
        title=f"{instrument.code} over time",
        y_min=y_min,
        y_max=y_max,
        bands=bands,
        chart_id=f"chart-{code}",
        worse_downwards=instrument.higher_is_better,
    )


def baseline_against(administration: Administration) -> Administration | None:
    """The baseline a result is compared with for deterioration: chosen, else the first complete one of its version.

    None when there is none, or when it is not earlier than the result (then nothing got worse "since").
    """
    others = list(
        Administration.objects.current()
        .filter(
            client_id=administration.client_id,
            instrument_code=administration.instrument_code,
            instrument_version=administration.instrument_version,
            total__isnull=False,
        )
        .exclude(pk=administration.pk)
        .order_by("administered_at", "id")
    )
    baseline, _chosen = baseline_for(administration.client, administration.instrument_code, others)
    if baseline is None or administration.administered_at <= baseline.administered_at:
        return None
    return baseline


@dataclass(frozen=True)
class AnswerShown:
    item: Item
    value: Value | None
    # The answer's label ("Several days"); "" when not answered.
    label: str

    @property
    def text(self) -> str:
        """ "Several days (1)", "Yes", or "not answered"."""
        if not self.label:
            return _("not answered")
        return self.label if str(self.value).lower() == self.label.lower() else f"{self.label} ({self.value})"


@dataclass(frozen=True)
class AlertFacts:
    """What raised an alert, for the pages: the instrument, the result, and the scores behind the rule."""

    instrument: Instrument | None
    administration: Administration | None
    # Reliable deterioration: the baseline result and the change from it.
    baseline: Administration | None
    change: Change | None
    # The answers the alert's rule looks at (PHQ-9 item 9; C-SSRS items 4, 5 and 6a).
    answers: tuple[AnswerShown, ...]
    # One line: "PHQ-9: 10 on 2026-01-05 → 18 on 2026-02-02", "PHQ-9 on 2026-02-02: total 6, Mild; item 9: ...".
    summary: str
    # The text stored when the alert was raised, where it adds to the above: a lapse's or missed sessions' detail,
    # or a deterioration whose baseline has changed since (e.g. a new baseline was chosen).
    note: str = ""
    # Labels of the instrument's flags raised on the result ("Thoughts of death or self-harm (item 9 above 0)").
    flags: tuple[str, ...] = ()


def describe_alert(alert: Alert) -> AlertFacts:
    """The facts behind one alert. Alerts not raised by a questionnaire (lapse, missed sessions) keep their detail."""
    administration = alert.administration
    if administration is None:
        return AlertFacts(None, None, None, None, (), alert.detail, note=alert.detail)
    instrument = administration.instrument
    day = f"{timezone.localtime(administration.administered_at):%Y-%m-%d}"
    baseline = change = None
    if alert.rule == AlertRule.DETERIORATION and administration.total is not None:
        baseline = baseline_against(administration)
        if baseline is not None:
            threshold = MeasureSettings.for_organization(alert.organization_id).threshold_for(instrument.code)
            change = change_between(instrument, baseline.total, administration.total, threshold=threshold)
    # A flag's alert is about the answers behind the flag; a deterioration is about the totals only.
    flag_rule = alert.rule != AlertRule.DETERIORATION
    answers = _answers_behind_flags(instrument, administration) if flag_rule else ()
    if baseline is not None:
        summary = _("%(code)s: %(baseline)s on %(baseline_day)s → %(total)s on %(day)s") % {
            "code": instrument.code,
            "baseline": baseline.total_display,
            "baseline_day": f"{timezone.localtime(baseline.administered_at):%Y-%m-%d}",
            "total": administration.total_display,
            "day": day,
        }
    else:
        parts = []
        if administration.total is not None:
            parts.append(_("total %(total)s") % {"total": administration.total_display})
        if administration.result_label:
            parts.append(administration.result_label)
        result = ", ".join(parts) or _("no total")
        summary = _("%(code)s on %(day)s: %(result)s") % {"code": instrument.code, "day": day, "result": result}
        for shown in answers:
            summary += "; " + _("item %(item)s: %(answer)s") % {"item": shown.item.key, "answer": shown.text}
    note = ""
    if alert.rule == AlertRule.DETERIORATION:
        as_raised = f"{instrument.code} {baseline.total_display} → {administration.total_display}" if baseline else ""
        note = alert.detail if alert.detail != as_raised else ""
    flags = tuple(str(f.label) for f in instrument.flags if f.key in (administration.flags or [])) if flag_rule else ()
    return AlertFacts(instrument, administration, baseline, change, answers, summary, note, flags)


def _answers_behind_flags(instrument: Instrument, administration: Administration) -> tuple[AnswerShown, ...]:
    """The asked items that the instrument's alert flags raised on this result look at, in item order."""
    keys = {
        condition.on.removeprefix("item:")
        for flag in instrument.flags
        if flag.alert and flag.key in (administration.flags or [])
        for condition in flag.any_of
        if condition.on.startswith("item:")
    }
    asked = asked_items(instrument, administration.answers)
    shown = []
    for item in asked:
        if item.key in keys:
            value = administration.answers.get(item.key)
            option = item.option(value) if value is not None else None
            shown.append(AnswerShown(item, value, str(option.label) if option else ""))
    return tuple(shown)

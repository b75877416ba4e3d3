"""Read-only queries and summaries for measures pages, the caseload and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from iptcare.clients.models import Client
from iptcare.lib.charts import ChartBand, ChartPoint, line_chart
from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.models import Administration, ChosenBaseline, MeasureSettings
from iptcare.measures.scoring import Change, change_between, phq9_response_and_remission


def history(client: Client, code: str, version: str | None = None) -> list[Administration]:
    """Current (uncorrected) administrations of one instrument version, oldest first."""
    instrument = get_instrument(code)
    return list(
        Administration.objects.current()
        .filter(client=client, instrument_code=instrument.code, instrument_version=version or instrument.version)
        .order_by("administered_at", "id")
    )


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
            label=f"{timezone.localtime(a.administered_at):%Y-%m-%d}: {a.total_display} {a.band_label}".strip(),
            alert=a.pk in alert_ids,
        )
        for a in administrations
        if a.total is not None
    ]
    numeric_bands = [b for b in instrument.bands if b.low is not None and b.high is not None]
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

"""Charts drawn as SVG on the server: no JavaScript, no CDN, readable on a phone and printable.

Pure functions from numbers to markup. Every value that reaches the markup goes through `escape`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 120, 16, 34
# Pale fills from calm to alarming, for bands in the order given (best first).
BAND_FILLS = ("#e8f5ec", "#f3f7e4", "#fdf5dc", "#fde9d6", "#fadcdc", "#f6d0d0")


@dataclass(frozen=True)
class ChartPoint:
    when: dt.date
    value: float
    label: str
    alert: bool = False


@dataclass(frozen=True)
class ChartBand:
    low: float
    high: float
    label: str


def line_chart(
    points: Sequence[ChartPoint],
    *,
    title: str,
    y_min: float,
    y_max: float,
    bands: Sequence[ChartBand] = (),
    chart_id: str = "chart",
    worse_downwards: bool = False,
) -> SafeString:
    """A line over time with shaded bands; points with an alert get a red ring.

    Bands are coloured from calm to alarming in the order given, or the other way when low values are worse.
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        span = (y_max - y_min) or 1
        return TOP + plot_h - (value - y_min) / span * plot_h

    days = [p.when for p in points]
    first, last = (min(days), max(days)) if days else (dt.date.today(), dt.date.today())  # noqa: DTZ011
    span_days = (last - first).days or 1

    def x(when: dt.date) -> float:
        if len(points) < 2 or first == last:
            return LEFT + plot_w / 2
        return LEFT + (when - first).days / span_days * plot_w

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(_description(points))}</desc>',
    ]
    for index, band in enumerate(bands):
        top, bottom = y(min(band.high, y_max)), y(max(band.low, y_min))
        rank = len(bands) - 1 - index if worse_downwards else index
        fill = BAND_FILLS[min(rank, len(BAND_FILLS) - 1)]
        parts.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" height="{max(bottom - top, 1):.1f}" fill="{fill}"/>'
            f'<text x="{LEFT + plot_w + 6}" y="{(top + bottom) / 2 + 4:.1f}" font-size="11" fill="#44505c">'
            f"{escape(band.label)}</text>"
        )
    for tick in _ticks(y_min, y_max, bands):
        parts.append(
            f'<line x1="{LEFT - 4}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#c9d1d9" '
            f'stroke-width="0.5"/><text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#44505c">{_number(tick)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#6b7785"/>')
    if points:
        parts.append(_axis_dates(first, last, x, TOP + plot_h))
        path = " ".join(f"{x(p.when):.1f},{y(p.value):.1f}" for p in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1d4f73" stroke-width="2.5"/>')
        for point in points:
            cx, cy = x(point.when), y(point.value)
            if point.alert:
                parts.append(
                    f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="none" stroke="#b42318" stroke-width="2.5"/>'
                )
            label = escape(point.label)
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="#1d4f73"><title>{label}</title></circle>')
    else:
        parts.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle" font-size="13" '
            'fill="#44505c">No results yet</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or numeric)


def _description(points: Sequence[ChartPoint]) -> str:
    if not points:
        return "No results yet."
    listed = "; ".join(point.label for point in points[-12:])
    return f"{len(points)} results. {listed}."


def _ticks(y_min: float, y_max: float, bands: Sequence[ChartBand]) -> list[float]:
    edges = {y_min, y_max}
    for band in bands:
        if y_min < band.low <= y_max:
            edges.add(band.low)
    return sorted(edges)


def _axis_dates(first: dt.date, last: dt.date, x, baseline: float) -> str:
    labels = {first, last}
    return "".join(
        f'<text x="{x(day):.1f}" y="{baseline + 18:.1f}" font-size="11" text-anchor="middle" fill="#44505c">'
        f"{day:%d %b %Y}</text>"
        for day in sorted(labels)
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

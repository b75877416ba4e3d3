"""The use calendar: one small SVG month grid per month of the window, drawn on the server.

Each day is a cell: no use, use, heavy drinking, or not recorded (hatched, never shown as abstinent). Colour is not
the only cue: days of use carry a dot, missing days a hatch, and every cell has a text title. Months wrap on a narrow
screen because each is its own SVG. Every value that reaches the markup goes through `escape`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from iptcare.substance_use.models import DayStatus
from iptcare.substance_use.selectors import DayView

CELL, GAP = 26, 3
PITCH = CELL + GAP
TOP = 44
WIDTH = 7 * PITCH + 2

# (fill, stroke, text) for each kind of cell. Dark text on pale fills, white on the dark red (6.9:1).
STYLES = {
    "no_use": ("#cde9d6", "#1e6b3a", "#1b1f24"),
    "used": ("#f6c48f", "#8a4b00", "#1b1f24"),
    "heavy": ("#a32a2a", "#7c1f1f", "#ffffff"),
    "missing": ("#ffffff", "#6b7785", "#44505c"),
    "outside": ("#f5f6f8", "#e1e5e9", "#6b7785"),
}


def _kind(day: DayView | None) -> str:
    if day is None:
        return "outside"
    if day.status == DayStatus.MISSING:
        return "missing"
    if day.status == DayStatus.NO_USE:
        return "no_use"
    return "heavy" if day.heavy_drinking else "used"


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def use_calendar(days: Sequence[DayView], *, chart_id: str = "use-calendar") -> SafeString:
    """Month grids for the days given (a window, every day present, missing ones as "missing")."""
    if not days:
        return mark_safe("")
    by_date = {day.date: day for day in days}
    start, end = days[0].date, days[-1].date
    parts = [f'<div class="use-calendar" id="{escape(chart_id)}">']
    for year, month in _months(start, end):
        parts.append(_month(year, month, by_date, f"{chart_id}-{year}-{month:02d}"))
    parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or numeric)


def _month(year: int, month: int, by_date: dict[dt.date, DayView], svg_id: str) -> str:
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    height = TOP + len(weeks) * PITCH + 2
    title = date_format(dt.date(year, month, 1), "F Y")
    counts = {"no_use": 0, "used": 0, "heavy": 0, "missing": 0}
    cells = []
    for row, week in enumerate(weeks):
        for column, day in enumerate(week):
            if day.month != month:
                continue
            view = by_date.get(day)
            kind = _kind(view)
            if kind in counts:
                counts[kind] += 1
            cells.append(_cell(day, view, kind, 1 + column * PITCH, TOP + row * PITCH, svg_id))
    hatch = f"{svg_id}-hatch"
    parts = [
        f'<svg class="use-month" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(svg_id)}-title {escape(svg_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(svg_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(svg_id)}-desc">{escape(_month_description(counts))}</desc>',
        f'<defs><pattern id="{escape(hatch)}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#aab3bc" stroke-width="2"/></pattern></defs>',
        f'<text x="2" y="16" font-size="14" font-weight="700" fill="#1b1f24">{escape(title)}</text>',
    ]
    for column in range(7):
        weekday = date_format(dt.date(2024, 1, 1) + dt.timedelta(days=column), "D")
        parts.append(
            f'<text x="{1 + column * PITCH + CELL / 2:.1f}" y="36" font-size="10" text-anchor="middle" '
            f'fill="#44505c">{escape(weekday)}</text>'
        )
    parts.extend(cells)
    parts.append("</svg>")
    return "".join(parts)


def _cell(day: dt.date, view: DayView | None, kind: str, x: float, y: float, svg_id: str) -> str:
    fill, stroke, text = STYLES[kind]
    if kind == "missing":
        fill = f"url(#{escape(svg_id)}-hatch)"
    label = f"{date_format(day, 'D j M Y')}: {view.description if view else _('outside the window')}"
    dash = ' stroke-dasharray="3 2"' if kind == "missing" else ""
    marker = f'<circle cx="{x + CELL - 6}" cy="{y + 6}" r="3" fill="{text}"/>' if kind in ("used", "heavy") else ""
    return (
        f"<g><title>{escape(label)}</title>"
        f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="3" fill="{fill}" stroke="{stroke}"{dash}/>'
        f'<text x="{x + CELL / 2:.1f}" y="{y + CELL / 2 + 4:.1f}" font-size="11" text-anchor="middle" '
        f'fill="{text}">{day.day}</text>{marker}</g>'
    )


def _month_description(counts: dict[str, int]) -> str:
    return _(
        "Days with no use: %(no_use)s; days with use: %(used)s (heavy drinking: %(heavy)s); "
        "days not recorded: %(missing)s."
    ) % {
        "no_use": counts["no_use"],
        "used": counts["used"] + counts["heavy"],
        "heavy": counts["heavy"],
        "missing": counts["missing"],
    }


def legend_swatch(kind: str) -> SafeString:
    """A small cell like the calendar's, for the legend next to its text label."""
    fill, stroke, text = STYLES[kind]
    dash = ' stroke-dasharray="3 2"' if kind == "missing" else ""
    hatch = (
        '<line x1="3" y1="13" x2="13" y2="3" stroke="#aab3bc" stroke-width="2"/>'
        '<line x1="7" y1="17" x2="17" y2="7" stroke="#aab3bc" stroke-width="2"/>'
        if kind == "missing"
        else ""
    )
    marker = '<circle cx="14" cy="6" r="3" fill="' + text + '"/>' if kind in ("used", "heavy") else ""
    return mark_safe(  # noqa: S308 (constants only)
        '<svg class="use-swatch" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg"><rect x="1" y="1" width="18" height="18" rx="3" fill="{fill}" '
        f'stroke="{stroke}"{dash}/>{hatch}{marker}</svg>'
    )

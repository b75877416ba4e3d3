"""The life-events timeline as one SVG, drawn on the server: no JavaScript, readable on a phone and printable.

One horizontal time axis. Above it, mood (0–10) as a line through the events that have one. Below it, a marker for
each change in use: warm triangles pointing up for more or started, cool ones pointing down for less or stopped.
Under those, each event's type as a vertical label on its tick. The onset (when the problems began) has a flag and
a bold label. An approximate date is drawn hollow and dashed and its label starts with "≈", so colour is never the
only cue. A pure function: events in, markup out; every text value goes through `escape`.

The drawing is as wide as its events need: at least a phone's width, and wider with more events (so that the
vertical labels stay LABEL_GAP apart) and with more years (so that the years can be read). The SVG fills its
container between a minimum and a maximum scale, so text is never smaller than about 10 px; on a narrower screen the
page scrolls the chart sideways. The maximum is the SVG's width and height attributes (the stylesheet's max-width:
100% shrinks it to its container); the minimum is a size class from static/css/app.css, since the
Content-Security-Policy allows no style attributes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from iptcare.clients.models import Substance
from iptcare.ipt.models import EventType, UseChange

# At least as wide as a phone: in the ~300 px a 360 px screen leaves, 12-unit text is 10 px. The SVG is drawn at
# MIN_SCALE to MAX_SCALE pixels per unit, whatever the container.
MIN_WIDTH = 360
MIN_SCALE, MAX_SCALE = 0.8, 1.6
# Minimum widths come in SIZE_CLASSES steps of SIZE_STEP from MIN_WIDTH (classes timeline-size-0 … -30 in app.css):
# the drawing's width is rounded up to a step, so the minimum is at most 10% above MIN_SCALE.
SIZE_STEP = 1.1
SIZE_CLASSES = 31
# Room per year of the time span, so that each year can carry its label; spans beyond MAX_YEARS are squeezed.
YEAR_UNITS = 24
MAX_YEARS = 60
LEFT, RIGHT = 36, 14
# The first and last markers sit this far inside the axis, so they are not cut in half.
INSET = 10
MOOD_TOP, MOOD_BOTTOM = 28, 144
AXIS_Y = 160
DATE_Y = AXIS_Y + 16
USE_Y = AXIS_Y + 34
LABEL_TOP = USE_Y + 18
# The label band is as deep as the longest label needs, at about this many units per character.
LABEL_CHAR_UNITS = 7.4
LEGEND_ROW = 20
LEGEND_COLUMNS = 2
# Vertical labels (13-unit text) are kept at least this far apart: nudged along and joined to their tick by a short
# line when events are close in time. The drawing widens so that they always fit.
LABEL_GAP = 16
LABEL_MAX_CHARS = 24
# Year labels on the axis closer than this to another date label are left out.
AXIS_LABEL_GAP = 40
END_LABEL_CLEARANCE = 90

INK, MUTED, GRID = "#1b1f24", "#44505c", "#c9d1d9"
MOOD_COLOUR = "#1d4f73"
ONSET_COLOUR = "#6b2c91"
# Warm for more use, cool for less (each at least 3:1 against white); "no change" is grey.
USE_STYLES: dict[str, tuple[str, str]] = {
    UseChange.STARTED: ("#b42318", "up"),
    UseChange.MORE: ("#c4590a", "up"),
    UseChange.SAME: ("#6b7785", "level"),
    UseChange.LESS: ("#2e78c2", "down"),
    UseChange.STOPPED: ("#173f8a", "down"),
}


class TimelineEventLike(Protocol):
    """What the chart reads from an event; ipt.models.TimelineEvent has it."""

    date: dt.date
    date_is_approximate: bool
    event_type: str
    title: str
    mood: int | None
    use_change: str
    substance: str


@dataclass(frozen=True)
class _Placed:
    event: TimelineEventLike
    x: float
    label_x: float


def chart_width(events: Sequence[TimelineEventLike]) -> float:
    """Width of the drawing in units: a phone's width, or more when the labels or the years need it."""
    if not events:
        return MIN_WIDTH
    days = [event.date for event in events]
    years = min((max(days) - min(days)).days / 365.25, MAX_YEARS)
    for_labels = LEFT + RIGHT + 2 * INSET + (len(events) - 1) * LABEL_GAP
    for_years = LEFT + RIGHT + 2 * INSET + years * YEAR_UNITS
    return float(max(MIN_WIDTH, round(for_labels), round(for_years)))


def size_class(width: float) -> int:
    """The size class whose minimum width fits a drawing `width` units wide (the widest class for wider ones)."""
    steps = math.ceil(math.log(max(width, MIN_WIDTH) / MIN_WIDTH) / math.log(SIZE_STEP) - 1e-9)
    return min(max(steps, 0), SIZE_CLASSES - 1)


def size_class_min_width(index: int) -> int:
    """The minimum width in pixels of size class `index`."""
    return round(MIN_WIDTH * SIZE_STEP**index * MIN_SCALE)


def size_class_rules() -> str:
    """The stylesheet rules for the size classes, as static/css/app.css has them."""
    return "\n".join(
        f".timeline-chart.timeline-size-{index} {{ min-width: {size_class_min_width(index)}px; }}"
        for index in range(SIZE_CLASSES)
    )


def timeline_svg(events: Sequence[TimelineEventLike], *, title: str, chart_id: str) -> SafeString:
    """The events on one time axis, in date order, with mood above the axis and changes in use below it."""
    ordered = sorted(events, key=lambda event: event.date)
    cid = escape(chart_id)
    width = chart_width(ordered)
    # Without events there is nothing to label or explain: the empty chart stops below the axis.
    labels = [_tick_label(event) for event in ordered]
    legend_top = LABEL_TOP + max((len(label) for label in labels), default=0) * LABEL_CHAR_UNITS + 14
    height = legend_top + LEGEND_ROW * _legend_rows(width) + 4 if ordered else AXIS_Y + 12
    parts = [
        f'<svg class="chart timeline-chart timeline-size-{size_class(width)}" id="{cid}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width * MAX_SCALE:.0f}" height="{height * MAX_SCALE:.0f}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(describe(ordered))}</desc>',
        _mood_grid(width),
        f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{AXIS_Y}" y2="{AXIS_Y}" stroke="#6b7785" stroke-width="1.5"/>',
    ]
    if ordered:
        parts.append(f'<text x="2" y="{USE_Y + 4}" font-size="12" fill="{MUTED}">{escape(_("Use"))}</text>')
        x = _x_scale(ordered[0].date, ordered[-1].date, width)
        placed = _place_labels([(event, x(event.date)) for event in ordered], width)
        parts.append(_axis_dates(ordered[0].date, ordered[-1].date, x))
        parts.append(_mood_line(placed))
        parts.extend(_event(item) for item in placed)
        parts.append(_legend(legend_top, width))
    else:
        parts.append(
            f'<text x="{(LEFT + width - RIGHT) / 2}" y="{(MOOD_TOP + MOOD_BOTTOM) / 2}" text-anchor="middle" '
            f'font-size="13" fill="{MUTED}">{escape(_("No events yet"))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or numeric)


def describe(events: Sequence[TimelineEventLike]) -> str:
    """The chart as text, for screen readers: every event in date order with its mood and change in use."""
    if not events:
        return _("No events on the timeline yet.")
    lines = "; ".join(event_text(event) for event in events)
    template = ngettext("%(count)s event: %(events)s.", "%(count)s events in date order: %(events)s.", len(events))
    return template % {"count": len(events), "events": lines}


def event_text(event: TimelineEventLike) -> str:
    """One event in words: "about 2019-06-15: Death, Grandmother died, mood 3 of 10, use more (alcohol)"."""
    when = event.date.isoformat()
    if event.date_is_approximate:
        when = _("about %(date)s") % {"date": when}
    text = f"{when}: {_type_label(event.event_type)}, {event.title}"
    if event.mood is not None:
        text += ", " + _("mood %(mood)s of 10") % {"mood": event.mood}
    if event.use_change:
        text += ", " + _("use %(change)s") % {"change": _use_label(event.use_change).lower()}
        if event.substance:
            text += f" ({substance_label(event.substance).lower()})"
    return text


def substance_label(value: str) -> str:
    """The substance's name, or "Use in general" when none is named."""
    if not value:
        return str(_("Use in general"))
    return str(Substance(value).label) if value in Substance.values else value


def _type_label(value: str) -> str:
    return str(EventType(value).label) if value in EventType.values else value


def _use_label(value: str) -> str:
    return str(UseChange(value).label) if value in UseChange.values else value


def _x_scale(first: dt.date, last: dt.date, width: float) -> Callable[[dt.date], float]:
    start, end = LEFT + INSET, width - RIGHT - INSET
    span = (last - first).days

    def x(day: dt.date) -> float:
        if span == 0:
            return (start + end) / 2
        return start + (day - first).days / span * (end - start)

    return x


def _place_labels(points: list[tuple[TimelineEventLike, float]], width: float) -> list[_Placed]:
    """Label positions at least LABEL_GAP apart and inside the box, as close to their ticks as that allows.

    `chart_width` leaves room for every label, so the forward pass (push right) and the backward pass (pull back
    from the right edge) never squeeze two labels closer than LABEL_GAP."""
    low, high = LEFT + 4, width - RIGHT - 4
    positions: list[float] = []
    for _event, x in points:
        positions.append(max(x, positions[-1] + LABEL_GAP) if positions else max(x, low))
    for index in range(len(positions) - 1, -1, -1):
        limit = high if index == len(positions) - 1 else positions[index + 1] - LABEL_GAP
        positions[index] = min(positions[index], limit)
    return [_Placed(event, x, label_x) for (event, x), label_x in zip(points, positions, strict=True)]


def _tick_label(event: TimelineEventLike) -> str:
    type_label = _type_label(event.event_type)
    label = f"≈ {type_label}" if event.date_is_approximate else type_label
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def _mood_y(mood: float) -> float:
    return MOOD_BOTTOM - mood / 10 * (MOOD_BOTTOM - MOOD_TOP)


def _mood_grid(width: float) -> str:
    parts = []
    for mood in (0, 5, 10):
        y = _mood_y(mood)
        parts.append(
            f'<line x1="{LEFT - 4}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="0.5"/><text x="{LEFT - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{MUTED}">{mood}</text>'
        )
    parts.append(f'<text x="2" y="{MOOD_TOP - 12}" font-size="12" fill="{MUTED}">{escape(_("Mood"))}</text>')
    return "".join(parts)


def _axis_dates(first: dt.date, last: dt.date, x: Callable[[dt.date], float]) -> str:
    """The first and last dates, and each new year between them where it does not crowd another date label."""
    labels = [(first, f"{first:%b %Y}")]
    if last != first:
        labels.append((last, f"{last:%b %Y}"))
    for year in range(first.year + 1, last.year + 1):
        at = x(dt.date(year, 1, 1))
        # The end labels ("Mar 2019") are anchored at their outer end and reach about 60 units inwards.
        clear_of_ends = at - x(first) > END_LABEL_CLEARANCE and x(last) - at > END_LABEL_CLEARANCE
        clear_of_years = all(abs(at - x(day)) > AXIS_LABEL_GAP for day, _text in labels[2:])
        if clear_of_ends and clear_of_years:
            labels.append((dt.date(year, 1, 1), str(year)))
    parts = []
    for day, text in labels:
        anchor = "start" if day == first and last != first else "end" if day == last and last != first else "middle"
        parts.append(
            f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{AXIS_Y}" y2="{AXIS_Y + 4}" stroke="#6b7785"/>'
            f'<text class="axis-date" x="{x(day):.1f}" y="{DATE_Y}" font-size="12" text-anchor="{anchor}" '
            f'fill="{MUTED}">{escape(text)}</text>'
        )
    return "".join(parts)


def _mood_line(placed: list[_Placed]) -> str:
    """Segments between successive moods; a segment touching an approximate date is dashed."""
    with_mood = [item for item in placed if item.event.mood is not None]
    parts = []
    for before, after in itertools.pairwise(with_mood):
        dashed = before.event.date_is_approximate or after.event.date_is_approximate
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(
            f'<line x1="{before.x:.1f}" y1="{_mood_y(before.event.mood):.1f}" x2="{after.x:.1f}" '
            f'y2="{_mood_y(after.event.mood):.1f}" stroke="{MOOD_COLOUR}" stroke-width="2.5"{dash}/>'
        )
    return f'<g class="timeline-mood">{"".join(parts)}</g>'


def _event(item: _Placed) -> str:
    event, x = item.event, item.x
    approximate = event.date_is_approximate
    onset = event.event_type == EventType.ONSET
    dash = ' stroke-dasharray="3 2"' if approximate else ""
    label = _tick_label(event)
    style = (' font-style="italic"' if approximate else "") + (' font-weight="700"' if onset else "")
    classes = "timeline-event" + (" onset" if onset else "") + (" approximate" if approximate else "")
    parts = [
        f'<g class="{classes}" data-date="{event.date.isoformat()}" '
        f'data-approximate="{"true" if approximate else "false"}">',
        f"<title>{escape(event_text(event))}</title>",
    ]
    if onset:
        # The onset stands out: a flag above the mood area and a strong line down to the axis.
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MOOD_TOP - 16}" y2="{AXIS_Y}" stroke="{ONSET_COLOUR}" '
            f'stroke-width="2"{dash}/>' + _onset_flag(x, MOOD_TOP - 16, hollow=approximate)
        )
    else:
        # A faint guide from the mood area to the axis ties the point above to the tick.
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MOOD_TOP}" y2="{AXIS_Y}" stroke="{GRID}" stroke-width="1"{dash}/>'
        )
    parts.append(
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{AXIS_Y - 7}" y2="{AXIS_Y + 7}" stroke="{INK}" stroke-width="2"{dash}/>'
    )
    if event.mood is not None:
        fill = "#ffffff" if approximate else MOOD_COLOUR
        parts.append(
            f'<circle class="mood-point" cx="{x:.1f}" cy="{_mood_y(event.mood):.1f}" r="4.5" fill="{fill}" '
            f'stroke="{MOOD_COLOUR}" stroke-width="2"{dash}/>'
        )
    if event.use_change in USE_STYLES:
        parts.append(_use_marker(x, USE_Y, event.use_change, hollow=approximate))
    parts.append(
        f'<line x1="{x:.1f}" y1="{USE_Y + 10}" x2="{item.label_x:.1f}" y2="{LABEL_TOP - 3}" stroke="{GRID}"/>'
        f'<text class="event-label" x="{item.label_x + 4:.1f}" y="{LABEL_TOP}" '
        f'transform="rotate(-90 {item.label_x + 4:.1f} {LABEL_TOP})" font-size="13" text-anchor="end" '
        f'fill="{ONSET_COLOUR if onset else INK}"{style}>{escape(label)}</text>'
    )
    parts.append("</g>")
    return "".join(parts)


def _onset_flag(x: float, top: float, *, hollow: bool) -> str:
    fill = "#ffffff" if hollow else ONSET_COLOUR
    dash = ' stroke-dasharray="3 2"' if hollow else ""
    return (
        f'<path class="onset-marker" d="M{x:.1f},{top:.1f} L{x + 11:.1f},{top + 5:.1f} L{x:.1f},{top + 10:.1f} Z" '
        f'fill="{fill}" stroke="{ONSET_COLOUR}" stroke-width="1.5"{dash}/>'
    )


def _use_marker(x: float, y: float, change: str, *, hollow: bool) -> str:
    colour, shape = USE_STYLES[change]
    fill = "#ffffff" if hollow else colour
    dash = ' stroke-dasharray="3 2"' if hollow else ""
    common = f'class="use-marker use-{escape(change)}" fill="{fill}" stroke="{colour}" stroke-width="2"{dash}'
    if shape == "up":
        return f'<path {common} d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y + 6:.1f} L{x - 7:.1f},{y + 6:.1f} Z"/>'
    if shape == "down":
        return f'<path {common} d="M{x:.1f},{y + 7:.1f} L{x + 7:.1f},{y - 6:.1f} L{x - 7:.1f},{y - 6:.1f} Z"/>'
    return f'<rect {common} x="{x - 6:.1f}" y="{y - 2.5:.1f}" width="12" height="5"/>'


def _legend_items() -> list[tuple[str, str]]:
    """(swatch markup centred on 0,0, text) for each legend entry."""
    mood = (
        f'<line x1="-8" x2="8" y1="0" y2="0" stroke="{MOOD_COLOUR}" stroke-width="2.5"/>'
        f'<circle cx="0" cy="0" r="4.5" fill="{MOOD_COLOUR}"/>'
    )
    approximate = (
        f'<line x1="0" x2="0" y1="-7" y2="7" stroke="{INK}" stroke-width="2" stroke-dasharray="3 2"/>'
        f'<circle cx="0" cy="0" r="4.5" fill="#ffffff" stroke="{MOOD_COLOUR}" stroke-width="2"/>'
    )
    items = [
        (mood, _("Mood (0–10)")),
        (approximate, _("≈ Approximate date")),
        (_onset_flag(-3, -5, hollow=False), str(EventType.ONSET.label)),
    ]
    for change in UseChange:
        items.append((_use_marker(0, 0, change.value, hollow=False), _("Use: %(change)s") % {"change": change.label}))
    return items


def _legend_columns(width: float) -> int:
    return max(2, int((width - 8) // 180))


def _legend_rows(width: float) -> int:
    return -(-len(_legend_items()) // _legend_columns(width))


def _legend(top: float, width: float) -> str:
    columns = _legend_columns(width)
    column_width = (width - 8) / columns
    parts = [f'<g class="timeline-legend" font-size="12" fill="{INK}">']
    for index, (swatch, text) in enumerate(_legend_items()):
        row, column = divmod(index, columns)
        x, y = 16 + column * column_width, top + row * LEGEND_ROW
        parts.append(
            f'<g transform="translate({x:.1f} {y + 6:.1f})">{swatch}</g>'
            f'<text x="{x + 14:.1f}" y="{y + 10:.1f}">{escape(text)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)

"""The client's mood chart: one small SVG drawn on the server (no JavaScript), with its words in the client's
language. Days without a check-in have no bar (never a zero). Every text reaching the markup is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from iptcare.portal.selectors import MoodDay

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 320, 140, 8, 22, 22


def mood_chart(days: Sequence[MoodDay]) -> SafeString:
    if not days:
        return mark_safe("")
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - TOP - BOTTOM
    step = plot_w / len(days)
    answered = [d for d in days if d.mood is not None]
    description = _("Mood from %(count)d check-ins, from %(start)s to %(end)s.") % {
        "count": len(answered),
        "start": date_format(days[0].day, "j M"),
        "end": date_format(days[-1].day, "j M"),
    }
    title = _("My mood, day by day")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="mood-title mood-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="mood-title">{escape(title)}</title>',
        f'<desc id="mood-desc">{escape(description)}</desc>',
    ]
    for value in (0, 5, 10):
        y = TOP + plot_h - value / 10 * plot_h
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c9d1d9" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#44505c">{value}</text>'
        )
    for index, day in enumerate(days):
        if day.mood is None:
            continue
        height = max(day.mood / 10 * plot_h, 2)
        x = LEFT + index * step + 1
        label = f"{date_format(day.day, 'j M')}: {day.mood}/10"
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{max(step - 2, 1):.1f}" height="{height:.1f}" '
            f'fill="#1d5b85"><title>{escape(label)}</title></rect>'
        )
    for index in (0, len(days) - 1):
        anchor = "start" if index == 0 else "end"
        x = LEFT if index == 0 else WIDTH - 4
        parts.append(
            f'<text x="{x}" y="{HEIGHT - 6}" font-size="11" text-anchor="{anchor}" fill="#44505c">'
            f"{escape(date_format(days[index].day, 'j M'))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or numeric)

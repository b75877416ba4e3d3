"""The closeness circle of the interpersonal inventory, and the choices behind it (IPT-DOMAIN §4).

Pure functions over inventory entries: which entry counts on a date, how the rings changed, and the circle as SVG
(no JavaScript, readable on a phone, printable). Every value that reaches the markup goes through `escape`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iptcare.ipt.models import Expectations

if TYPE_CHECKING:
    from iptcare.ipt.models import InventoryEntry

# ---------------------------------------------------------------------------------------------------- selection


def _by_name(entry: InventoryEntry) -> tuple[str, str, int]:
    return (entry.person.name.casefold(), entry.person.name, entry.person_id)


def latest_per_person(entries: Iterable[InventoryEntry], as_of: dt.date | None = None) -> list[InventoryEntry]:
    """Each person's latest entry recorded on or before `as_of` (all entries when None), ordered by name.

    Two entries of one person never share a date (a constraint), so the later id only breaks ties in unsaved data.
    """
    latest: dict[int, InventoryEntry] = {}
    for entry in entries:
        if as_of is not None and entry.recorded_on > as_of:
            continue
        current = latest.get(entry.person_id)
        if current is None or (entry.recorded_on, entry.pk or 0) > (current.recorded_on, current.pk or 0):
            latest[entry.person_id] = entry
    return sorted(latest.values(), key=_by_name)


def move_label(old_ring: int, new_ring: int) -> str:
    """A change of ring in words a clinician reads the right way round: ring 1 is the innermost, so 3 → 1 is
    "moved closer (ring 3 → 1)" and 1 → 3 is "moved further out (ring 1 → 3)"."""
    rings = {"old": old_ring, "new": new_ring}
    if new_ring < old_ring:
        return _("Moved closer (ring %(old)d → %(new)d)") % rings
    if new_ring > old_ring:
        return _("Moved further out (ring %(old)d → %(new)d)") % rings
    return _("Same ring (%(new)d)") % rings


@dataclass(frozen=True)
class RingChange:
    """A person's ring changed between two of their entries."""

    old_ring: int
    new_ring: int
    on: dt.date

    @property
    def closer(self) -> bool:
        return self.new_ring < self.old_ring

    @property
    def label(self) -> str:
        return move_label(self.old_ring, self.new_ring)


def ring_changes(entries: Iterable[InventoryEntry]) -> dict[int, list[RingChange]]:
    """Per person id, each change of ring in date order. People whose ring never changed are left out."""
    by_person: dict[int, list[InventoryEntry]] = {}
    for entry in entries:
        by_person.setdefault(entry.person_id, []).append(entry)
    changes: dict[int, list[RingChange]] = {}
    for person_id, own in by_person.items():
        own.sort(key=lambda e: (e.recorded_on, e.pk or 0))
        found = [
            RingChange(before.ring, after.ring, after.recorded_on)
            for before, after in itertools.pairwise(own)
            if before.ring != after.ring
        ]
        if found:
            changes[person_id] = found
    return changes


class ChangeKind:
    CLOSER = "closer"
    FURTHER = "further"
    NEW = "new"


_CHANGE_ORDER = (ChangeKind.CLOSER, ChangeKind.FURTHER, ChangeKind.NEW)
DATES_REVERSED = gettext_lazy("“Then” is after “now”: put the earlier date in “Then”.")


@dataclass(frozen=True)
class CircleChange:
    """How one person's place differs between the circle on `then` and the circle on a later date."""

    kind: str
    person_id: int
    name: str
    then_ring: int | None
    now_ring: int
    then: dt.date

    @property
    def label(self) -> str:
        if self.kind == ChangeKind.NEW:
            # Not "moved": the person had no entry yet on the earlier date, so there is no ring to move from.
            return _("New since %(then)s (not in the inventory then)") % {"then": self.then.isoformat()}
        return move_label(self.then_ring or 0, self.now_ring)


def default_then(entries: Sequence[InventoryEntry], *, fallback: dt.date, now: dt.date) -> dt.date:
    """The "then" of a comparison when none is chosen: the first inventory date (else `fallback`), never after
    `now`."""
    first = min((entry.recorded_on for entry in entries), default=fallback)
    return min(first, now)


def compare_circles(
    entries: Iterable[InventoryEntry], then: dt.date, now: dt.date
) -> tuple[list[InventoryEntry], list[InventoryEntry], list[CircleChange]]:
    """The circle on `then`, the circle on `now`, and who moved closer, further out or is new since `then`.

    `then` must not be after `now` (ValueError): with the dates the wrong way round every move would read
    backwards. Entries are never removed and `now` is not earlier, so everyone in the circle then is in it now:
    there is no "left the circle". People on the same ring on both dates are not changes, even if they moved in
    between (the inventory page shows each person's whole ring history).
    """
    if then > now:
        raise ValueError(str(DATES_REVERSED))
    entries = list(entries)
    then_circle, now_circle = latest_per_person(entries, then), latest_per_person(entries, now)
    then_by_person = {e.person_id: e for e in then_circle}
    found: list[CircleChange] = []
    for after in now_circle:
        before = then_by_person.get(after.person_id)
        if before is None:
            kind = ChangeKind.NEW
        elif after.ring < before.ring:
            kind = ChangeKind.CLOSER
        elif after.ring > before.ring:
            kind = ChangeKind.FURTHER
        else:
            continue
        found.append(
            CircleChange(kind, after.person_id, after.person.name, before.ring if before else None, after.ring, then)
        )
    found.sort(key=lambda c: (_CHANGE_ORDER.index(c.kind), c.name.casefold(), c.person_id))
    return then_circle, now_circle, found


# ---------------------------------------------------------------------------------------------------- tone


class Tone:
    SUPPORT = "support"
    MIXED = "mixed"
    CONFLICT = "conflict"
    NEUTRAL = "neutral"


TONE_LABELS = {
    Tone.SUPPORT: gettext_lazy("Supports recovery"),
    Tone.MIXED: gettext_lazy("Supports recovery, with conflict"),
    Tone.CONFLICT: gettext_lazy("Conflict or expectations not met"),
    Tone.NEUTRAL: gettext_lazy("Neither support nor conflict recorded"),
}
# Colour is never the only signal: each tone also has its own shape, in the dots and in the legend.
TONE_FILLS = {Tone.SUPPORT: "#2e7d4f", Tone.MIXED: "#c2620c", Tone.CONFLICT: "#b42318", Tone.NEUTRAL: "#ffffff"}
TONE_SHAPES = {Tone.SUPPORT: "circle", Tone.MIXED: "square", Tone.CONFLICT: "diamond", Tone.NEUTRAL: "circle"}


def has_conflict(entry: InventoryEntry) -> bool:
    return bool(entry.conflict_pattern.strip()) or entry.expectations_met == Expectations.NOT_MET


def tone_of(entry: InventoryEntry) -> str:
    """Support (supports recovery, no conflict), conflict (a conflict pattern or unmet expectations, no support),
    mixed (both), or neutral (neither)."""
    conflict = has_conflict(entry)
    if entry.supports_recovery:
        return Tone.MIXED if conflict else Tone.SUPPORT
    return Tone.CONFLICT if conflict else Tone.NEUTRAL


def tone_label(entry: InventoryEntry) -> str:
    return str(TONE_LABELS[tone_of(entry)])


# ---------------------------------------------------------------------------------------------------- drawing

RINGS = 4
SIZE = 400
CENTRE = SIZE / 2
# The radius each ring's people sit on, ring 1 (closest) first.
RING_RADII = (46, 88, 130, 172)
DOT = 9
FONT = 16
LABEL_CHARACTERS = 16
LEGEND_TOP = SIZE + 8
LEGEND_ROW = 24
TEXT = "#1f2933"
MUTED = "#44505c"
# Pale bands from the centre outwards, so the rings read as areas even in black and white.
RING_FILLS = ("#eef4fa", "#f4f7fb", "#f8fafc", "#fcfdfe")


def closeness_circle_svg(
    entries: Sequence[InventoryEntry], *, title: str, chart_id: str, centre_label: str = ""
) -> SafeString:
    """The client in the centre, four rings around (1 = closest), each person a labelled dot on their ring.

    `entries` holds one entry per person (see `latest_per_person`). People on a ring are spread evenly around it
    in order of name, so the same inventory always draws the same picture.
    """
    chart = escape(chart_id)
    centre_label = centre_label or _("Client")
    people = sorted(entries, key=_by_name)
    legend_rows = len(TONE_LABELS) + 2
    height = LEGEND_TOP + legend_rows * LEGEND_ROW + 8
    parts = [
        f'<svg class="chart closeness-circle" viewBox="0 0 {SIZE} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart}-title {chart}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif">',
        f'<title id="{chart}-title">{escape(title)}</title>',
        f'<desc id="{chart}-desc">{escape(describe_circle(people, centre_label=centre_label))}</desc>',
        f'<rect x="0" y="0" width="{SIZE}" height="{height}" fill="#ffffff"/>',
    ]
    parts.extend(_rings())
    parts.append(
        # Wide enough for seven characters at this size, and still inside ring 1's dots.
        f'<circle cx="{CENTRE}" cy="{CENTRE}" r="30" fill="#1d4f73"/>'
        f'<text x="{CENTRE}" y="{CENTRE + 4}" text-anchor="middle" font-size="11" font-weight="700" fill="#ffffff">'
        f"{escape(_short(centre_label, 7))}</text>"
    )
    dots = _dots(people)
    labels = _place_labels(dots)
    for dot, label in zip(dots, labels, strict=True):
        parts.append(_person(dot, label))
    if not people:
        parts.append(
            f'<text x="{CENTRE}" y="{CENTRE + RING_RADII[1] + 4}" text-anchor="middle" font-size="{FONT}" '
            f'fill="{MUTED}">{escape(_("No one in the inventory on this date"))}</text>'
        )
    parts.append(_legend())
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped or numeric)


def describe_circle(entries: Sequence[InventoryEntry], *, centre_label: str = "") -> str:
    """The circle in words, ring by ring: the text alternative of the drawing."""
    if not entries:
        return _("No one is in the inventory on this date.")
    sentences = [_("%(centre)s in the centre.") % {"centre": centre_label or _("The client")}]
    for ring in range(1, RINGS + 1):
        on_ring = [e for e in entries if e.ring == ring]
        if not on_ring:
            continue
        described = "; ".join(_describe_person(e) for e in sorted(on_ring, key=_by_name))
        heading = _("Ring 1 (closest)") if ring == 1 else _("Ring %(ring)d") % {"ring": ring}
        sentences.append(f"{heading}: {described}.")
    return " ".join(sentences)


def _describe_person(entry: InventoryEntry) -> str:
    return f"{entry.person.name} ({_person_notes(entry)})"


def _person_notes(entry: InventoryEntry) -> str:
    notes = [tone_label(entry).lower()]
    if entry.uses_with_client:
        notes.append(_("uses with the client"))
    return ", ".join(notes)


def _rings() -> list[str]:
    parts = []
    # Bands from the outside in, so each inner band paints over the outer one.
    bounds = [*((a + b) / 2 for a, b in itertools.pairwise(RING_RADII)), RING_RADII[-1] + 22]
    for ring in range(RINGS, 0, -1):
        parts.append(
            f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{bounds[ring - 1]:.1f}" fill="{RING_FILLS[ring - 1]}" '
            f'stroke="#c9d1d9" stroke-width="1"/>'
        )
    for ring, radius in enumerate(RING_RADII, start=1):
        parts.append(
            f'<circle class="ring ring-{ring}" data-ring="{ring}" cx="{CENTRE}" cy="{CENTRE}" r="{radius}" '
            f'fill="none" stroke="#8a96a3" stroke-width="1" stroke-dasharray="3 4"/>'
            f'<text x="{CENTRE + 4}" y="{CENTRE - radius - 4}" font-size="12" fill="{MUTED}" stroke="#ffffff" '
            f'stroke-width="3" paint-order="stroke">{ring}</text>'
        )
    return parts


@dataclass(frozen=True)
class _Dot:
    entry: InventoryEntry
    ring: int
    x: float
    y: float
    angle: float


def _dots(people: Sequence[InventoryEntry]) -> list[_Dot]:
    """Each person's place: on their ring, spread evenly around it in the order given (by name)."""
    by_ring: dict[int, list[InventoryEntry]] = {}
    for entry in people:
        by_ring.setdefault(min(max(entry.ring, 1), RINGS), []).append(entry)
    dots = []
    for ring, on_ring in sorted(by_ring.items()):
        radius = RING_RADII[ring - 1]
        for index, entry in enumerate(on_ring):
            # Each ring starts a golden angle (137.5°) further round than the one inside it, so that people on
            # neighbouring rings rarely share a spoke.
            angle = math.radians(20 + (ring - 1) * 137.5 + index * 360 / len(on_ring))
            dots.append(_Dot(entry, ring, CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle), angle))
    return dots


def _person(dot: _Dot, label: tuple[float, float, str]) -> str:
    entry, ring, x, y = dot.entry, dot.ring, dot.x, dot.y
    tone = tone_of(entry)
    hover = _("%(name)s, ring %(ring)d: %(notes)s") % {
        "name": entry.person.name,
        "ring": ring,
        "notes": _person_notes(entry),
    }
    parts = [f'<g class="person tone-{tone}" data-ring="{ring}"><title>{escape(hover)}</title>']
    if entry.uses_with_client:
        parts.append(
            f'<circle class="uses-marker" cx="{x:.1f}" cy="{y:.1f}" r="{DOT + 5}" fill="none" stroke="{TEXT}" '
            f'stroke-width="2" stroke-dasharray="3 2"/>'
        )
    parts.append(_shape(tone, x, y, DOT))
    if entry.uses_with_client:
        parts.append(_uses_badge(x + DOT + 3, y - DOT - 3))
    left, baseline, text = label
    parts.append(
        f'<text class="person-label" x="{left:.1f}" y="{baseline:.1f}" font-size="{FONT}" fill="{TEXT}" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(text)}</text>'
    )
    parts.append("</g>")
    return "".join(parts)


_Box = tuple[float, float, float, float]


def _place_labels(dots: Sequence[_Dot]) -> list[tuple[float, float, str]]:
    """Where each name goes: beside its dot on the side away from the centre when that is free, else the first
    free place around the dot; inside the drawing, clear of the other dots, names and the "uses with the client"
    badges where possible. Deterministic, so the same inventory always looks the same."""
    taken: list[_Box] = [(CENTRE - 26, CENTRE - 26, CENTRE + 26, CENTRE + 26)]
    for dot in dots:
        reach = DOT + (12 if dot.entry.uses_with_client else 3)
        taken.append(
            (dot.x - reach, dot.y - reach - (8 if dot.entry.uses_with_client else 0), dot.x + reach, dot.y + reach)
        )
    placed = []
    for dot in dots:
        text = _short(dot.entry.person.name, LABEL_CHARACTERS)
        width = len(text) * FONT * 0.58
        candidates = [_box(x, y, width) for x, y in _label_spots(dot, width)]
        # The first free place; when none is free, the one that covers the least of what is already drawn.
        box = min(candidates, key=lambda c: sum(_overlap(c, t) for t in taken))
        taken.append(box)
        placed.append((box[0], box[3] - FONT * 0.25, text))
    return placed


def _label_spots(dot: _Dot, width: float) -> list[tuple[float, float]]:
    """Candidate (left, baseline) places for a name, the one away from the centre first."""
    x, y = dot.x, dot.y
    gap = DOT + (14 if dot.entry.uses_with_client else 6)
    right, left, middle = x + gap, x - gap - width, x - width / 2
    badge_height = 8 if dot.entry.uses_with_client else 0
    below, above, level = y + gap + FONT * 0.75, y - gap - 2 - badge_height, y + FONT * 0.35
    cos, sin = math.cos(dot.angle), math.sin(dot.angle)
    across = right if cos > 0.35 else left if cos < -0.35 else middle
    down = below if sin > 0.35 else above if sin < -0.35 else level
    if across == middle and down == level:
        down = below
    return [
        (across, down),
        (right, level),
        (left, level),
        (middle, below),
        (middle, above),
        (right, below),
        (left, below),
        (right, above),
        (left, above),
    ]


def _box(left: float, baseline: float, width: float) -> _Box:
    left = min(max(left, 4), SIZE - 4 - width)
    return (left, baseline - FONT * 0.8, left + width, baseline + FONT * 0.25)


def _overlap(a: _Box, b: _Box) -> float:
    """The area two boxes share."""
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _shape(tone: str, x: float, y: float, size: float) -> str:
    fill = TONE_FILLS[tone]
    stroke = f'stroke="{TEXT}" stroke-width="{2 if tone == Tone.NEUTRAL else 1.5}"'
    shape = TONE_SHAPES[tone]
    if shape == "square":
        side = size * 1.7
        return f'<rect x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" width="{side:.1f}" height="{side:.1f}" ' + (
            f'fill="{fill}" {stroke}/>'
        )
    if shape == "diamond":
        r = size * 1.2
        points = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{fill}" {stroke}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" fill="{fill}" {stroke}/>'


def _uses_badge(x: float, y: float) -> str:
    return (
        f'<circle class="uses-badge" cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{TEXT}"/>'
        f'<text x="{x:.1f}" y="{y + 3.5:.1f}" text-anchor="middle" font-size="10" font-weight="700" '
        f'fill="#ffffff">U</text>'
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend() -> str:
    items = [(_shape(tone, 0, 0, 7), str(label)) for tone, label in TONE_LABELS.items()]
    items.append((_uses_badge(0, 0), _("Uses with the client")))
    items.append(("", _("Ring 1 is the closest")))
    parts = ['<g class="legend">']
    for row, (symbol, label) in enumerate(items):
        x, y = 20, LEGEND_TOP + row * LEGEND_ROW + 10
        parts.append(
            f'<g transform="translate({x:.1f},{y:.1f})">{symbol}'
            f'<text x="{16 if symbol else -6}" y="5" font-size="15" fill="{TEXT}">{escape(label)}</text></g>'
        )
    parts.append("</g>")
    return "".join(parts)

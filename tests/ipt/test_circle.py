"""The closeness circle: which entry counts on a date, ring changes, then-and-now changes, and the SVG drawing.
Pure functions: the entries here are never saved."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest

from iptcare.clients.models import Person
from iptcare.ipt.circle import (
    RING_RADII,
    ChangeKind,
    Tone,
    closeness_circle_svg,
    compare_circles,
    default_then,
    latest_per_person,
    move_label,
    ring_changes,
    tone_of,
)
from iptcare.ipt.models import InventoryEntry

_ids = itertools.count(1)
PEOPLE: dict[str, Person] = {}


def person(name: str) -> Person:
    if name not in PEOPLE:
        PEOPLE[name] = Person(pk=next(_ids), name=name, relationship_type="other")
    return PEOPLE[name]


def entry(name: str, ring: int, on: dt.date = dt.date(2026, 3, 2), **fields: Any) -> InventoryEntry:
    who = person(name)
    return InventoryEntry(pk=next(_ids), person=who, person_id=who.pk, ring=ring, recorded_on=on, **fields)


def march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


class TestSelection:
    def test_it_takes_each_persons_latest_entry_ordered_by_name(self) -> None:
        sister_early, sister_late = entry("Sister", 2, march(2)), entry("Sister", 1, march(20))
        mum = entry("mum", 3, march(5))
        current = latest_per_person([sister_late, mum, sister_early])
        assert current == [mum, sister_late]

    def test_it_takes_the_latest_entry_on_or_before_a_date(self) -> None:
        sister_early, sister_late = entry("Sister", 2, march(2)), entry("Sister", 1, march(20))
        later_friend = entry("Friend", 3, march(25))
        entries = [sister_early, sister_late, later_friend]
        assert latest_per_person(entries, march(1)) == []
        assert latest_per_person(entries, march(2)) == [sister_early]
        assert latest_per_person(entries, march(19)) == [sister_early]
        assert latest_per_person(entries, march(20)) == [sister_late]
        assert latest_per_person(entries, march(31)) == [later_friend, sister_late]

    def test_it_lists_ring_changes_in_date_order_and_leaves_out_people_who_stayed(self) -> None:
        entries = [
            entry("Sister", 2, march(2)),
            entry("Sister", 2, march(9)),
            entry("Sister", 1, march(20)),
            entry("Mum", 3, march(2)),
            entry("Mum", 3, march(20)),
        ]
        changes = ring_changes(entries)
        assert list(changes) == [person("Sister").pk]
        (change,) = changes[person("Sister").pk]
        assert (change.old_ring, change.new_ring, change.on, change.closer) == (2, 1, march(20), True)

    def test_it_names_who_moved_closer_further_out_or_is_new_between_two_dates(self) -> None:
        entries = [
            entry("Sister", 2, march(2)),
            entry("Sister", 1, march(20)),
            entry("Dealer", 1, march(2)),
            entry("Dealer", 4, march(21)),
            entry("Mum", 3, march(2)),
            entry("Sponsor", 2, march(25)),
            # Moved out and back again between the two dates: the same ring on both is not a change.
            entry("Friend", 2, march(2)),
            entry("Friend", 4, march(12)),
            entry("Friend", 2, march(22)),
        ]
        then, now, changes = compare_circles(entries, march(10), march(31))
        assert [e.person.name for e in then] == ["Dealer", "Friend", "Mum", "Sister"]
        assert [(e.person.name, e.ring) for e in now] == [
            ("Dealer", 4),
            ("Friend", 2),
            ("Mum", 3),
            ("Sister", 1),
            ("Sponsor", 2),
        ]
        assert [(c.kind, c.name, c.then_ring, c.now_ring, c.label) for c in changes] == [
            (ChangeKind.CLOSER, "Sister", 2, 1, "Moved closer (ring 2 → 1)"),
            (ChangeKind.FURTHER, "Dealer", 1, 4, "Moved further out (ring 1 → 4)"),
            (ChangeKind.NEW, "Sponsor", None, 2, "New since 2026-03-10 (not in the inventory then)"),
        ]
        assert compare_circles(entries, march(31), march(31))[2] == []

    def test_someone_first_recorded_after_then_is_new_not_moved(self) -> None:
        # The sponsor's first entry (ring 1) comes after "then": there was no ring to move from.
        entries = [entry("Sponsor", 1, march(15)), entry("Sister", 3, march(2))]
        (change,) = compare_circles(entries, march(10), march(20))[2]
        assert (change.kind, change.then_ring, change.now_ring) == (ChangeKind.NEW, None, 1)
        assert "closer" not in change.label.lower() and change.label.startswith("New since 2026-03-10")

    def test_everyone_in_the_circle_then_is_in_it_now(self) -> None:
        # Entries are never removed and "now" is not earlier than "then", so no one can leave the circle.
        entries = [entry("Sister", 2, march(2)), entry("Mum", 3, march(5)), entry("Mum", 1, march(9))]
        then, now, _changes = compare_circles(entries, march(5), march(9))
        assert {e.person_id for e in then} <= {e.person_id for e in now}

    def test_it_refuses_dates_the_wrong_way_round(self) -> None:
        with pytest.raises(ValueError, match="“Then” is after “now”"):
            compare_circles([entry("Sister", 2, march(2))], march(20), march(10))

    def test_it_words_each_move_with_ring_1_as_the_innermost(self) -> None:
        assert move_label(3, 1) == "Moved closer (ring 3 → 1)"
        assert move_label(1, 3) == "Moved further out (ring 1 → 3)"
        (change,) = ring_changes([entry("Sister", 4, march(2)), entry("Sister", 2, march(9))])[person("Sister").pk]
        assert change.label == "Moved closer (ring 4 → 2)"

    def test_then_defaults_to_the_first_entry_but_never_after_now(self) -> None:
        entries = [entry("Sister", 2, march(9)), entry("Mum", 3, march(5))]
        assert default_then(entries, fallback=march(1), now=march(31)) == march(5)
        assert default_then(entries, fallback=march(1), now=march(3)) == march(3)
        assert default_then([], fallback=march(1), now=march(31)) == march(1)

    def test_it_tells_support_from_conflict(self) -> None:
        assert tone_of(entry("A", 1, supports_recovery=True)) == Tone.SUPPORT
        assert tone_of(entry("B", 1, conflict_pattern="Shouting about money")) == Tone.CONFLICT
        assert tone_of(entry("C", 1, expectations_met="not_met")) == Tone.CONFLICT
        assert tone_of(entry("D", 1, supports_recovery=True, expectations_met="not_met")) == Tone.MIXED
        assert tone_of(entry("E", 1, expectations_met="partly", conflict_pattern="  ")) == Tone.NEUTRAL


def dot_positions(svg: str) -> dict[str, tuple[float, float, int]]:
    """Each person's dot: name (from the hover title), centre and ring."""
    found = {}
    for group in re.finditer(r'<g class="person [^"]*" data-ring="(\d)"><title>([^<,]*),.*?</g>', svg):
        shape = re.search(r'<(?:circle|rect|polygon) (?!class="uses)[^>]*>', group.group(0)).group(0)
        if shape.startswith("<circle"):
            x, y = (float(v) for v in re.search(r'cx="([\d.]+)" cy="([\d.]+)"', shape).groups())
        elif shape.startswith("<rect"):
            x, y = (float(v) for v in re.search(r'x="([\d.]+)" y="([\d.]+)"', shape).groups())
        else:
            points = [tuple(map(float, p.split(","))) for p in re.search(r'points="([^"]+)"', shape).group(1).split()]
            x, y = sum(p[0] for p in points) / 4, sum(p[1] for p in points) / 4
        found[group.group(2)] = (x, y, int(group.group(1)))
    return found


class TestTheDrawing:
    def test_it_is_an_accessible_image_with_a_title_and_a_text_description(self) -> None:
        svg = closeness_circle_svg(
            [entry("Big sister", 1, supports_recovery=True), entry("Dealer", 3, uses_with_client=True)],
            title="Circle on 2 March",
            chart_id="circle-test",
            centre_label="Fern",
        )
        assert svg.startswith('<svg class="chart closeness-circle" viewBox="0 0 ')
        assert 'role="img"' in svg and 'aria-labelledby="circle-test-title circle-test-desc"' in svg
        assert '<title id="circle-test-title">Circle on 2 March</title>' in svg
        description = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
        assert description == (
            "Fern in the centre. Ring 1 (closest): Big sister (supports recovery). "
            "Ring 3: Dealer (neither support nor conflict recorded, uses with the client)."
        )
        assert "<script" not in svg and 'width="100%"' in svg

    def test_it_draws_four_rings_from_the_inside_out(self) -> None:
        svg = closeness_circle_svg([], title="Empty", chart_id="c")
        radii = [float(r) for r in re.findall(r'<circle class="ring ring-\d" data-ring="\d" [^>]*r="([\d.]+)"', svg)]
        assert radii == sorted(radii) == list(RING_RADII)
        assert len(radii) == 4
        assert "No one in the inventory on this date" in svg

    def test_it_puts_each_person_on_their_ring_spread_evenly_by_name(self) -> None:
        entries = [entry(name, 2) for name in ("Cara", "Abe", "Bea", "Dov")] + [entry("Eve", 1), entry("Fay", 4)]
        svg = closeness_circle_svg(entries, title="t", chart_id="c")
        dots = dot_positions(svg)
        centre = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1)) / 2
        for name, (x, y, ring) in dots.items():
            distance = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            assert abs(distance - RING_RADII[ring - 1]) < 1, name
        assert {name: ring for name, (_x, _y, ring) in dots.items()} == {
            "Abe": 2,
            "Bea": 2,
            "Cara": 2,
            "Dov": 2,
            "Eve": 1,
            "Fay": 4,
        }
        # Four people on ring 2 sit a quarter turn apart: neighbours are equally far from each other.
        ring_two = [dots[name][:2] for name in ("Abe", "Bea", "Cara", "Dov")]
        gaps = [
            round(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)
            for a, b in zip(ring_two, ring_two[1:] + ring_two[:1], strict=True)
        ]
        assert len(set(gaps)) == 1
        # The same inventory in another order draws the same picture.
        assert closeness_circle_svg(list(reversed(entries)), title="t", chart_id="c") == svg

    def test_it_marks_who_uses_with_the_client_besides_the_colour(self) -> None:
        svg = closeness_circle_svg(
            [entry("Dealer", 3, uses_with_client=True), entry("Sister", 1)], title="t", chart_id="c"
        )
        dealer = re.search(r"<title>Dealer,.*?</g>", svg).group(0)
        sister = re.search(r"<title>Sister,.*?</g>", svg).group(0)
        assert 'class="uses-marker"' in dealer and ">U</text>" in dealer
        assert "uses-marker" not in sister and ">U</text>" not in sister
        # The legend explains the marker and every colour.
        legend = re.search(r'<g class="legend">.*?</g></g>$', svg.removesuffix("</svg>")).group(0)
        for label in ("Supports recovery", "Conflict or expectations not met", "Uses with the client"):
            assert label in legend

    def test_it_colours_support_and_conflict_with_different_shapes(self) -> None:
        svg = closeness_circle_svg(
            [entry("Helper", 1, supports_recovery=True), entry("Fighter", 2, conflict_pattern="Rows")],
            title="t",
            chart_id="c",
        )
        helper = re.search(r'<g class="person tone-support".*?</g>', svg).group(0)
        fighter = re.search(r'<g class="person tone-conflict".*?</g>', svg).group(0)
        assert "Helper" in helper and 'fill="#2e7d4f"' in helper and "<circle" in helper
        assert "Fighter" in fighter and 'fill="#b42318"' in fighter and "<polygon" in fighter

    def test_it_escapes_names_and_titles(self) -> None:
        svg = closeness_circle_svg(
            [entry("<b>Ann</b>", 1), entry('Jo "J" & co', 2)], title="<i>t</i>", chart_id='c"><script>'
        )
        assert "<b>" not in svg and "<i>" not in svg and "<script>" not in svg
        assert "&lt;b&gt;Ann&lt;/b&gt;" in svg
        assert "Jo &quot;J&quot; &amp; co" in svg
        assert "&lt;i&gt;t&lt;/i&gt;" in svg

    def test_it_shortens_long_names_in_the_drawing_but_not_in_the_description(self) -> None:
        name = "Cousin Maria Fernanda from Lisbon"
        svg = closeness_circle_svg([entry(name, 4)], title="t", chart_id="c")
        label = re.search(r'<text class="person-label"[^>]*>([^<]*)</text>', svg).group(1)
        assert label == "Cousin Maria Fe…"
        assert f"Ring 4: {name} (" in svg

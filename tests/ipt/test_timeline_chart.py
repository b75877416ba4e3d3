"""The timeline SVG: one time axis, mood above it, changes in use below, every text escaped."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

from iptcare.ipt.models import TimelineEvent
from iptcare.ipt.timeline_chart import (
    AXIS_Y,
    LABEL_GAP,
    MIN_WIDTH,
    USE_STYLES,
    YEAR_UNITS,
    size_class_min_width,
    size_class_rules,
    timeline_svg,
)

ROOT = Path(__file__).resolve().parents[2]


def event(day: dt.date, *, approximate: bool = False, **fields) -> TimelineEvent:
    values = {"event_type": "other", "title": "Something happened", "mood": None, "use_change": ""} | fields
    return TimelineEvent(date=day, date_is_approximate=approximate, **values)


def event_groups(svg: str) -> list[str]:
    return re.findall(r'<g class="timeline-event[^"]*".*?</g>', svg)


def test_it_escapes_every_text_it_draws() -> None:
    svg = timeline_svg(
        [event(dt.date(2024, 1, 5), title="<script>alert(1)</script>", event_type="death")],
        title='Fern\'s "timeline" <b>',
        chart_id='chart"><script>',
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "Fern&#x27;s &quot;timeline&quot; &lt;b&gt;" in svg
    assert 'id="chart&quot;&gt;&lt;script&gt;"' in svg


def test_it_puts_the_events_in_date_order_whatever_the_input_order() -> None:
    days = [dt.date(2022, 5, 1), dt.date(2019, 6, 15), dt.date(2021, 1, 3)]
    svg = timeline_svg([event(day, title=f"on {day}") for day in days], title="t", chart_id="c")
    assert re.findall(r'data-date="([\d-]+)"', svg) == ["2019-06-15", "2021-01-03", "2022-05-01"]
    ticks = [float(x) for x in re.findall(rf'<line x1="([\d.]+)" x2="[\d.]+" y1="{AXIS_Y - 7}"', svg)]
    assert ticks == sorted(ticks) and len(set(ticks)) == 3
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    assert desc.index("2019-06-15") < desc.index("2021-01-03") < desc.index("2022-05-01")


def test_it_draws_approximate_dates_hollow_and_dashed() -> None:
    svg = timeline_svg(
        [
            event(dt.date(2019, 7, 1), approximate=True, mood=3, use_change="more", event_type="death"),
            event(dt.date(2020, 2, 1), mood=5, use_change="more", event_type="job"),
        ],
        title="t",
        chart_id="c",
    )
    approximate, exact = event_groups(svg)
    assert 'data-approximate="true"' in approximate and "stroke-dasharray" in approximate
    assert re.search(r'class="mood-point"[^>]*fill="#ffffff"', approximate)
    assert re.search(r'class="use-marker use-more" fill="#ffffff"', approximate)
    assert "≈ Death" in approximate
    assert "stroke-dasharray" not in exact
    assert not re.search(r'fill="#ffffff"', exact)
    # The mood segment reaching back to the approximate date is dashed too.
    assert re.search(r'<g class="timeline-mood"><line [^>]*stroke-dasharray', svg)


def test_it_plots_mood_above_the_axis_and_use_below_it_in_warm_and_cool_colours() -> None:
    changes = ["started", "more", "same", "less", "stopped"]
    svg = timeline_svg(
        [event(dt.date(2020, n + 1, 1), mood=2 * n, use_change=change) for n, change in enumerate(changes)],
        title="t",
        chart_id="c",
    )
    moods = [float(y) for y in re.findall(r'class="mood-point" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert len(moods) == 5 and all(y < AXIS_Y for y in moods)
    assert moods == sorted(moods, reverse=True)  # higher mood, higher on the page
    for change in changes:
        colour = USE_STYLES[change][0]
        marker = re.search(rf'class="use-marker use-{change}" fill="{colour}"[^>]*d="M[\d.]+,([\d.]+)', svg)
        assert marker is None or float(marker.group(1)) > AXIS_Y
        assert f'class="use-marker use-{change}" fill="{colour}"' in svg
    assert USE_STYLES["more"][1] == USE_STYLES["started"][1] == "up"
    assert USE_STYLES["less"][1] == USE_STYLES["stopped"][1] == "down"


def test_it_labels_each_tick_with_its_type_and_explains_itself() -> None:
    svg = timeline_svg(
        [event(dt.date(2021, 3, 1), event_type="relationship_end", title="Split with J.", mood=2, use_change="more")],
        title="Timeline",
        chart_id="c",
    )
    assert 'viewBox="0 0 360 ' in svg and 'width="576"' in svg
    assert ">Relationship ended</text>" in svg
    assert "2021-03-01: Relationship ended, Split with J., mood 2 of 10, use more" in svg
    legend = re.search(r'<g class="timeline-legend".*</g>', svg).group(0)
    for text in ("Mood (0–10)", "Approximate date", "Use: Started", "Use: Less"):
        assert text in legend


def test_it_says_so_when_there_are_no_events() -> None:
    svg = timeline_svg([], title="Timeline", chart_id="c")
    assert "No events yet" in svg and "No events on the timeline yet." in svg
    assert "timeline-event" not in svg


def viewbox_width(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))


def label_positions(svg: str) -> list[float]:
    """The x of each event's vertical label, in date order."""
    return [float(x) for x in re.findall(r'<text class="event-label" x="([\d.]+)"', svg)]


def test_it_widens_with_the_number_of_events_and_keeps_the_labels_apart() -> None:
    # Forty events in six weeks: on a fixed phone-wide drawing their labels would pile up at the edges.
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(40)]
    few = timeline_svg([event(day) for day in days[:3]], title="t", chart_id="c")
    many = timeline_svg([event(day, event_type="use_episode") for day in days], title="t", chart_id="c")
    assert viewbox_width(few) == MIN_WIDTH
    width = viewbox_width(many)
    assert width >= 40 * LABEL_GAP > MIN_WIDTH
    positions = label_positions(many)
    assert len(positions) == 40
    gaps = [after - before for before, after in itertools.pairwise(positions)]
    assert min(gaps) >= LABEL_GAP - 0.1
    assert all(0 < x < width for x in positions)


def test_it_widens_with_the_years_it_spans() -> None:
    short = timeline_svg([event(dt.date(2024, 1, 1)), event(dt.date(2024, 6, 1))], title="t", chart_id="c")
    long = timeline_svg([event(dt.date(1994, 1, 1)), event(dt.date(2024, 6, 1))], title="t", chart_id="c")
    assert viewbox_width(short) == MIN_WIDTH
    assert viewbox_width(long) >= 30 * YEAR_UNITS
    years = re.findall(r'<text class="axis-date" x="([\d.]+)"[^>]*>(\d{4})</text>', long)
    assert len(years) >= 10
    xs = sorted(float(x) for x, _year in years)
    assert min(after - before for before, after in itertools.pairwise(xs)) > 30


def test_it_fills_its_container_between_a_minimum_and_a_maximum_scale() -> None:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(60)]
    svg = timeline_svg([event(day) for day in days], title="t", chart_id="c")
    width = viewbox_width(svg)
    # At most 1.6 px per unit (its width attribute), at least about 0.8 (a size class: no style attribute under CSP).
    size = re.search(r'<svg class="[^"]*timeline-size-(\d+)"[^>]* width="(\d+)" height="(\d+)"', svg)
    assert size is not None and "style=" not in svg
    assert int(size.group(2)) == round(width * 1.6)
    assert round(width * 0.8) <= size_class_min_width(int(size.group(1))) <= round(width * 0.8 * 1.1)
    assert size_class_rules() in (ROOT / "static/css/app.css").read_text()


def test_it_marks_the_onset_with_a_flag_and_a_bold_label() -> None:
    svg = timeline_svg(
        [
            event(dt.date(2018, 9, 1), event_type="onset", mood=2),
            event(dt.date(2020, 1, 1), event_type="job", mood=5),
        ],
        title="t",
        chart_id="c",
    )
    onset, job = event_groups(svg)
    assert onset.startswith('<g class="timeline-event onset"') and 'class="onset-marker"' in onset
    assert re.search(r'font-weight="700">Problems began \(onset\)</text>', onset)
    assert "onset-marker" not in job and 'font-weight="700"' not in job
    legend = re.search(r'<g class="timeline-legend".*</g>', svg).group(0)
    assert 'class="onset-marker"' in legend and "Problems began (onset)" in legend


def test_it_names_the_substance_of_a_change_in_use_in_the_tooltip() -> None:
    svg = timeline_svg(
        [
            event(dt.date(2021, 3, 1), use_change="more", substance="opioids", title="Back on pills"),
            event(dt.date(2021, 5, 1), use_change="less", title="Cut down"),
        ],
        title="t",
        chart_id="c",
    )
    opioids, general = event_groups(svg)
    assert "<title>2021-03-01: Other, Back on pills, use more (opioids)</title>" in opioids
    assert "<title>2021-05-01: Other, Cut down, use less</title>" in general

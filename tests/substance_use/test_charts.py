"""The use calendar: month grids in SVG with a text title per day and a description per month."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from iptcare.substance_use.charts import legend_swatch, use_calendar
from iptcare.substance_use.metrics import RecordedDay, SubstanceUse
from iptcare.substance_use.selectors import DayView


def view(day: dt.date, status: str, heavy: bool = False, drinks: str | None = None) -> DayView:
    if status == "missing":
        return DayView(day, "missing", "", None)
    substances = {"alcohol": SubstanceUse(True, Decimal(drinks), "standard_drinks")} if drinks else {}
    return DayView(day, status, "tlfb", RecordedDay(day, status == "used", substances), heavy)


def window(start: dt.date, statuses: list[str]) -> list[DayView]:
    return [view(start + dt.timedelta(days=n), status) for n, status in enumerate(statuses)]


def test_it_draws_one_month_grid_per_month_of_the_window() -> None:
    days = window(dt.date(2026, 2, 26), ["no_use"] * 5)  # 26 February – 2 March
    svg = use_calendar(days)
    assert svg.count('<svg class="use-month"') == 2
    assert '<title id="use-calendar-2026-02-title">February 2026</title>' in svg
    assert '<title id="use-calendar-2026-03-title">March 2026</title>' in svg


def test_every_day_has_a_text_title_and_missing_days_are_hatched_not_green() -> None:
    start = dt.date(2026, 3, 2)
    days = [
        view(start, "no_use"),
        view(start + dt.timedelta(days=1), "missing"),
        view(start + dt.timedelta(days=2), "used", heavy=True, drinks="6"),
    ]
    svg = use_calendar(days)
    assert "<title>Mon 2 Mar 2026: No use</title>" in svg
    assert "<title>Tue 3 Mar 2026: Not recorded</title>" in svg
    assert "<title>Wed 4 Mar 2026: Used: Alcohol (6 standard drinks) · heavy drinking day</title>" in svg
    assert "<title>Thu 5 Mar 2026: outside the window</title>" in svg
    missing_cell = re.search(r"<title>Tue 3 Mar 2026: Not recorded</title><rect [^>]*>", svg).group(0)
    assert 'fill="url(#use-calendar-2026-03-hatch)"' in missing_cell
    assert "#cde9d6" not in missing_cell  # the abstinent fill
    # The month's description counts missing days apart from days without use.
    assert "Days with no use: 1; days with use: 1 (heavy drinking: 1); days not recorded: 1." in svg


def test_days_of_use_carry_a_marker_besides_their_colour() -> None:
    start = dt.date(2026, 3, 2)
    svg = use_calendar([view(start, "used", drinks="2"), view(start + dt.timedelta(days=1), "no_use")])
    used_cell = re.search(r"<title>Mon 2 Mar 2026[^<]*</title>.*?</g>", svg).group(0)
    abstinent_cell = re.search(r"<title>Tue 3 Mar 2026[^<]*</title>.*?</g>", svg).group(0)
    assert "<circle" in used_cell
    assert "<circle" not in abstinent_cell


def test_it_escapes_the_chart_id_and_draws_nothing_for_no_days() -> None:
    svg = use_calendar(window(dt.date(2026, 3, 2), ["no_use"]), chart_id='x"><script>')
    assert "<script>" not in svg
    assert use_calendar([]) == ""


def test_legend_swatches_are_hidden_from_screen_readers() -> None:
    for kind in ("no_use", "used", "heavy", "missing"):
        assert 'aria-hidden="true"' in legend_swatch(kind)

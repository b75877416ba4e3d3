"""The shapes of use days, check-ins and use metrics in the JSON API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput


class WindowParams(Schema):
    start: dt.date | None = Field(None, description="First day (defaults to 27 days before `end`).")
    end: dt.date | None = Field(None, description="Last day, not in the future (defaults to today).")


class SubstanceUseOut(Schema):
    substance: str
    used: bool
    amount: float | None = Field(None, description="In `unit`; null when not given.")
    unit: str = Field("", description="standard_drinks for alcohol; grams, doses, … for the others.")


class UseDayOut(Schema):
    date: dt.date
    status: str = Field(description="missing (not recorded, never counted as abstinent), no_use or used.")
    source: str = Field(description="tlfb or check_in; empty for a missing day.")
    substances: list[SubstanceUseOut]


class UseDayWindow(Schema):
    start: dt.date
    end: dt.date
    days: list[UseDayOut] = Field(description="Every day of the window, missing days included.")


class SubstanceUseIn(StrictInput):
    substance: str
    used: bool = True
    amount: Decimal | None = None
    unit: str = ""


class UseDayIn(StrictInput):
    date: dt.date
    status: str = Field(description="no_use, used, or missing (which removes the day's entry).")
    substances: list[SubstanceUseIn] = []


class UseDaysIn(StrictInput):
    days: list[UseDayIn] = Field(min_length=1, max_length=31, description="At most 31 days; each replaces its day.")


class PersonRef(Schema):
    id: int
    name: str


class CheckInOut(Schema):
    id: int
    date: dt.date
    mood: int | None
    craving: int | None
    used: bool
    substances: list[str]
    interpersonal_event: str
    person: PersonRef | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


class CheckInPage(Schema):
    count: int
    items: list[CheckInOut]


class CheckInIn(StrictInput):
    date: dt.date
    mood: int | None = Field(None, description="0 = very low, 10 = very good; null when not answered.")
    craving: int | None = Field(None, description="0 = none, 10 = the strongest; null when not answered.")
    used: bool
    substances: list[str] = []
    interpersonal_event: str = ""
    person_id: int | None = None


class DaysOfUse(Schema):
    substance: str
    days: int


class StreakOut(Schema):
    days: int
    as_of: dt.date | None = Field(description="The most recent recorded day, where the streak ends.")


class UseMetricsOut(Schema):
    start: dt.date
    end: dt.date
    days_in_window: int
    days_recorded: int
    days_missing: int
    abstinent_days: int
    use_days: int
    percent_days_abstinent: float | None = Field(
        description="Abstinent days ÷ days in the window × 100 (missing days count); null when no day was recorded."
    )
    percent_recorded_days_abstinent: float | None = Field(description="Abstinent days ÷ recorded days × 100.")
    drinking_days: int
    drinking_days_without_amount: int
    heavy_drinking_days: int
    heavy_drinking_threshold: int = Field(description="Standard drinks in a day that make it a heavy drinking day.")
    heavy_drinking_rule: str
    drinks_per_drinking_day: float | None
    days_of_use: list[DaysOfUse]
    current_streak: StreakOut

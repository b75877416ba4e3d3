"""Shapes of instruments, administrations and alerts in the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput


class OptionOut(Schema):
    value: int | str
    label: str
    loinc: str


class ItemOut(Schema):
    key: str
    text: str
    loinc: str
    scored: bool
    required: bool
    options: list[OptionOut]


class InstrumentOut(Schema):
    code: str
    name: str
    version: str
    recall_period: str
    instructions: str
    loinc_panel: str
    loinc_total: str
    source: str
    licence: str
    restricted_licence: bool
    items: list[ItemOut]


class ScoreIn(StrictInput):
    instrument: str
    answers: dict[str, int | str | None] = Field(
        description="Published answer values by item key; null = not answered."
    )
    sex: str | None = Field(None, description="female or male, for sex-specific cut-offs.")


class ScoreOut(Schema):
    instrument: str
    version: str
    total: float | None
    band: str | None
    band_label: str | None
    subscales: dict[str, float | None]
    flags: list[str]
    missing: list[str]
    positive: bool | None = None


class AdministrationIn(StrictInput):
    instrument: str
    answers: dict[str, int | str | None]
    administered_at: dt.datetime | None = Field(None, description="Defaults to now; not in the future.")
    corrects_id: int | None = Field(None, description="The administration this one corrects.")
    correction_reason: str = ""


class AdministrationOut(Schema):
    id: int
    instrument: str = Field(alias="instrument_code")
    version: str = Field(alias="instrument_version")
    answered_by: str
    administered_at: dt.datetime
    answers: dict[str, Any]
    total: float | None
    band: str
    subscales: dict[str, Any]
    flags: list[str]
    positive: bool | None
    corrects_id: int | None
    correction_reason: str


class AdministrationPage(Schema):
    count: int
    items: list[AdministrationOut]


class AlertOut(Schema):
    id: int
    rule: str
    status: str
    needs_cssrs: bool
    raised_at: dt.datetime
    detail: str
    administration_id: int | None
    owner_id: int | None
    closed_by_id: int | None
    closed_at: dt.datetime | None
    disposition: str
    cssrs_administration_id: int | None


class AlertPage(Schema):
    count: int
    items: list[AlertOut]


class CloseAlertIn(StrictInput):
    disposition: str
    cssrs_administration_id: int | None = None

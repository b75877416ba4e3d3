"""Shapes of the client's side of the API (/api/v1/me/). No questionnaire score appears in any of them."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptcare.clients.schemas import StrictInput


class TokenIn(StrictInput):
    login_name: str = Field(max_length=150)
    password: str = Field(max_length=200)
    name: str = Field("app", max_length=100, description="A name for the device or app, for the client's own list.")


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown once.")
    expires_at: dt.datetime


class LineOut(Schema):
    name: str
    shown: str = Field(description="The number or how to reach them, as written.")
    number: str = Field(description="Digits for a tel: or sms: link; empty when there is none.")
    can_text: bool
    relationship: str = ""
    note: str = ""


class DueOut(Schema):
    code: str
    questions: int
    overdue: bool


class HomeworkOut(Schema):
    text: str
    set_on: dt.date
    answered: bool
    done: bool | None
    comment: str


class SessionOut(Schema):
    starts_at: dt.datetime
    minutes: int
    kind: str
    therapist: str


class TodayOut(Schema):
    crisis_line: LineOut
    questionnaires: list[DueOut]
    checked_in_today: bool
    homework: HomeworkOut | None
    next_session: SessionOut | None
    support_contacts: list[LineOut]
    waiting: int = Field(description="How many things wait for the client today.")


class CheckInIn(StrictInput):
    mood: int | None = Field(None, ge=0, le=10, description="0 = very low, 10 = very good.")
    craving: int | None = Field(None, ge=0, le=10, description="0 = none, 10 = the strongest.")
    used: bool = Field(description="Alcohol or drugs used today. Always answered: a day is never assumed free of use.")
    substances: list[str] = Field(default_factory=list, description="Substance values, when used is true.")
    interpersonal_event: str = Field("", max_length=2000)
    person_id: int | None = Field(None, description="One of the client's own people.")


class SupportOut(Schema):
    show: bool = Field(description="Show the supportive message and the crisis line now.")
    team_will_be_in_touch: bool
    message: str
    crisis_line: LineOut


class CheckInOut(Schema):
    date: dt.date
    support: SupportOut


class OptionOut(Schema):
    value: int | str
    label: str


class ItemOut(Schema):
    key: str
    text: str
    options: list[OptionOut]


class QuestionnaireOut(Schema):
    code: str
    instructions: str
    items: list[ItemOut]


class AnswersIn(StrictInput):
    answers: dict[str, int | str | None] = Field(description="Answer values by item key; null = left blank.")


class AnswersOut(Schema):
    received: bool
    support: SupportOut


class PlanSectionOut(Schema):
    key: str
    label: str
    step: int | None
    value: object


class PlanOut(Schema):
    kind: str
    title: str
    version: int
    agreed_on: dt.datetime
    sections: list[PlanSectionOut]

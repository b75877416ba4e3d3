"""What the client sees, read in a fixed number of queries: today's list, the crisis line, contacts, the next
session, homework, the plan and their own progress. Nothing here returns a questionnaire score."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.models import Organization
from iptcare.clients.models import Client, Person
from iptcare.measures.instruments import INSTRUMENTS
from iptcare.measures.schedules import due_by_client
from iptcare.plans.content import TriggerCategory, section_of
from iptcare.plans.crisis_lines import crisis_lines_for
from iptcare.plans.selectors import client_facing_plans
from iptcare.portal.models import HomeworkAnswer
from iptcare.substance_use.models import CheckIn
from iptcare.substance_use.selectors import use_summary
from iptcare.therapy.models import GROUP_SESSION, SessionKind, SessionNote, SessionStatus, TherapySession

# Crisis lines (by their source in iptcare/plans/crisis_lines.py) that also take text messages.
TEXTABLE_CRISIS_LINES = frozenset({"crisis:988"})
# The first run of a phone number in a text such as "Call or text 988" or "Dial 988, then press 1".
_NUMBER = re.compile(r"\+?\d(?:[\d .()/-]*\d)?")
# A scheduled session still shows as "next" for this long after it began (it may not be recorded yet).
NEXT_SESSION_GRACE = dt.timedelta(hours=1)
PROGRESS_DAYS = 28


def dial_number(text: str) -> str:
    """The number a phone dials for `text` ("555 010 1234" → "5550101234"), or "" when there is none."""
    found = _NUMBER.search(text or "")
    if not found:
        return ""
    raw = found.group(0)
    return ("+" if raw.startswith("+") else "") + re.sub(r"\D", "", raw)


@dataclass(frozen=True)
class Line:
    """A crisis line or a person to call, ready for tel: and sms: links."""

    name: str
    shown: str
    number: str
    can_text: bool
    note: str = ""
    relationship: str = ""


def crisis_lines(organization: Organization) -> list[Line]:
    """The organization's crisis lines (iptcare/plans/crisis_lines.py), in the active language."""
    return [
        Line(
            name=item.name,
            shown=item.phone,
            number=dial_number(item.phone),
            can_text=item.source in TEXTABLE_CRISIS_LINES,
            note=item.note,
            relationship=item.relationship,
        )
        for item in crisis_lines_for(organization.slug)
    ]


def header_crisis_line(organization: Organization) -> Line:
    """The line in every portal page's header: the organization's first crisis line that can be dialled."""
    lines = crisis_lines(organization)
    return next((line for line in lines if line.number), lines[0])


def support_contacts(client: Client) -> list[Line]:
    """The people in the client's life marked as support contacts (one query)."""
    people = Person.objects.filter(client=client, is_support_contact=True).order_by("name", "id")
    return [
        Line(
            name=person.name,
            shown=person.phone,
            number=dial_number(person.phone),
            can_text=bool(dial_number(person.phone)),
            relationship=str(person.get_relationship_type_display()),
        )
        for person in people
    ]


def clinic_line(client: Client) -> Line | None:
    """The client's clinic (their site), when it has a phone number. Needs client.site loaded."""
    number = dial_number(client.site.phone)
    if not number:
        return None
    return Line(name=client.site.name, shown=client.site.phone, number=number, can_text=False)


@dataclass(frozen=True)
class DueQuestionnaire:
    code: str
    questions: int
    overdue: bool


def due_questionnaires(client: Client, today: dt.date | None = None) -> list[DueQuestionnaire]:
    """Questionnaires the schedules say are due or overdue today (two queries)."""
    due = due_by_client([client], today).get(client.pk, [])
    found: dict[str, DueQuestionnaire] = {}
    for item in due:
        instrument = INSTRUMENTS.get(item.instrument_code)
        if instrument is not None and item.instrument_code not in found:
            found[item.instrument_code] = DueQuestionnaire(
                item.instrument_code, len(instrument.items), item.state == "overdue"
            )
    return list(found.values())


def todays_check_in(client: Client, today: dt.date | None = None) -> CheckIn | None:
    return CheckIn.objects.filter(client=client, date=today or timezone.localdate()).select_related("person").first()


@dataclass(frozen=True)
class Homework:
    note: SessionNote
    text: str
    set_on: dt.date
    answer: HomeworkAnswer | None


def current_homework(client: Client) -> Homework | None:
    """The homework of the client's latest signed session note, with their answer (two queries).

    Only a signed note counts: a draft may still change. A latest note with no homework means there is none now.
    """
    note = (
        SessionNote.objects.filter(session__episode__client=client, signed_at__isnull=False)
        .select_related("session")
        .order_by("-session__scheduled_start", "-pk")
        .first()
    )
    if note is None or not note.homework_set.strip():
        return None
    answer = HomeworkAnswer.objects.filter(note=note).first()
    set_on = timezone.localtime(note.session.scheduled_start).date()
    return Homework(note, note.homework_set.strip(), set_on, answer)


def session_kind_label(kind: str) -> str:
    labels = {
        SessionKind.SESSION: _("Session"),
        SessionKind.PRE_GROUP_MEETING: _("Meeting before the group starts"),
        SessionKind.BOOSTER: _("Booster session"),
        GROUP_SESSION: _("Group session"),
    }
    return str(labels.get(kind, _("Session")))


def next_session(client: Client) -> TherapySession | None:
    """The client's next scheduled session, with its therapist (one query)."""
    return (
        TherapySession.objects.filter(
            episode__client=client,
            status=SessionStatus.SCHEDULED,
            scheduled_start__gt=timezone.now() - NEXT_SESSION_GRACE,
        )
        .select_related("therapist")
        .order_by("scheduled_start", "pk")
        .first()
    )


@dataclass
class Today:
    due: list[DueQuestionnaire]
    check_in: CheckIn | None
    homework: Homework | None
    next_session: TherapySession | None
    contacts: list[Line]
    clinic: Line | None

    @property
    def homework_waiting(self) -> bool:
        return self.homework is not None and self.homework.answer is None

    @property
    def waiting_count(self) -> int:
        """How many things wait for the client today: questionnaires, the check-in, unanswered homework."""
        return len(self.due) + (self.check_in is None) + self.homework_waiting


def today_for(client: Client) -> Today:
    """Everything on the Today page, in a fixed number of queries."""
    return Today(
        due=due_questionnaires(client),
        check_in=todays_check_in(client),
        homework=current_homework(client),
        next_session=next_session(client),
        contacts=support_contacts(client),
        clinic=clinic_line(client),
    )


# ---------------------------------------------------------------------------------------------------- plan


@dataclass
class PlanView:
    kind: str
    title: str
    version: int
    agreed_on: dt.datetime
    sections: list[dict[str, Any]] = field(default_factory=list)


def plans_for_client(client: Client) -> list[PlanView]:
    """The client's current final plans as written with the therapist: relapse prevention first, then safety."""
    found = client_facing_plans(client)
    views = []
    for kind, title in (("relapse_prevention", _("My relapse-prevention plan")), ("safety", _("My safety plan"))):
        plan = found.get(kind)
        if plan is None:
            continue
        sections = []
        for section in plan.sections:
            value = section["value"]
            # The client reads what was written; a section left empty in the agreed plan is left out.
            if not _written(value):
                continue
            if section["key"] == "triggers":
                value = [{**item, "category_label": _category_label(item.get("category", ""))} for item in value]
            if isinstance(value, list) and value and isinstance(value[0], dict) and "phone" in value[0]:
                value = [{**item, "number": dial_number(item.get("phone", ""))} for item in value]
            found_section = section_of(kind, section["key"])
            section_kind = found_section.kind if found_section else ""
            if section_kind == "dates":
                value = [dt.date.fromisoformat(day) for day in value]
            elif section_kind == "boosters":
                value = {**value, "dates": [dt.date.fromisoformat(day) for day in value.get("dates", [])]}
            sections.append({**section, "kind": section_kind, "value": value})
        views.append(PlanView(kind, str(title), plan.version, plan.finalised_at, sections))
    return views


def _written(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_written(v) for v in value.values())
    return bool(value)


def _category_label(category: str) -> str:
    try:
        return str(TriggerCategory(category).label)
    except ValueError:
        return ""


# ---------------------------------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class MoodDay:
    day: dt.date
    mood: int | None


@dataclass(frozen=True)
class Progress:
    start: dt.date
    end: dt.date
    moods: list[MoodDay]
    days_without_use: int
    days_recorded: int
    days_in_window: int
    streak: int

    @property
    def average_mood(self) -> float | None:
        values = [d.mood for d in self.moods if d.mood is not None]
        return round(sum(values) / len(values), 1) if values else None


def progress_for(client: Client, today: dt.date | None = None) -> Progress:
    """The client's own last four weeks: mood from check-ins, days without use, the current streak."""
    end = today or timezone.localdate()
    start = end - dt.timedelta(days=PROGRESS_DAYS - 1)
    moods = dict(CheckIn.objects.filter(client=client, date__gte=start, date__lte=end).values_list("date", "mood"))
    summary = use_summary(client, start, end)
    days = [start + dt.timedelta(days=n) for n in range(PROGRESS_DAYS)]
    return Progress(
        start=start,
        end=end,
        moods=[MoodDay(day, moods.get(day)) for day in days],
        days_without_use=summary.metrics.abstinent_days,
        days_recorded=summary.metrics.days_recorded,
        days_in_window=summary.metrics.days_in_window,
        streak=summary.streak.days,
    )

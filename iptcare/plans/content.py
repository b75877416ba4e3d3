"""What a plan contains: the schema of each plan's document, and its sections in the order the client reads them.

Relapse-prevention plan sections follow IPT-DOMAIN §8; the safety plan's six ordered steps follow Stanley B, Brown
GK. Safety Planning Intervention: a brief intervention to mitigate suicide risk. Cognitive and Behavioral Practice
2012;19:256–264. The schemas are also the API's input and output, so the pages, the API and the stored JSON agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

# A section lists at most this many items: a one-page plan the client can use, not an inventory.
MAX_ITEMS = 20
MAX_DATES = 12
LINE_LENGTH = 300
NOTE_LENGTH = 1000

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LINE_LENGTH)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTE_LENGTH)]
# Where an item came from ("trigger:12", "person:5", "area:3:dispute", "common:payday"); "" when typed in.
Source = Annotated[str, StringConstraints(max_length=60, pattern=r"^([a-z_]+:[A-Za-z0-9_:-]+)?$")]


class TriggerCategory(models.TextChoices):
    """IPT-DOMAIN §8: external triggers are people, places, times, paydays and using associates; internal ones are
    feelings, thoughts, the body, and HALT (hungry, angry, lonely, tired)."""

    PEOPLE = "people", _("People")
    PLACES = "places", _("Places")
    TIMES = "times", _("Times")
    PAYDAYS = "paydays", _("Paydays and money")
    USING_ASSOCIATES = "using_associates", _("Using associates")
    FEELINGS = "feelings", _("Feelings")
    THOUGHTS = "thoughts", _("Thoughts")
    PHYSICAL = "physical", _("The body (pain, withdrawal, sleep)")
    HALT = "halt", _("HALT: hungry, angry, lonely, tired")


# How a kind of trigger reads on the staff pages and in print, where it differs from its label: the labels stay as
# they are for the client portal, which shows them, translated.
CATEGORY_NAMES = {TriggerCategory.HALT: _("HALT (hungry, angry, lonely, tired)")}


def category_name(category: str) -> str:
    """The name of a kind of trigger: "HALT (hungry, angry, lonely, tired)", "Using associates"."""
    return str(CATEGORY_NAMES.get(category) or TriggerCategory(category).label)


EXTERNAL_CATEGORIES = frozenset(
    {
        TriggerCategory.PEOPLE,
        TriggerCategory.PLACES,
        TriggerCategory.TIMES,
        TriggerCategory.PAYDAYS,
        TriggerCategory.USING_ASSOCIATES,
    }
)


class AvoidKind(models.TextChoices):
    PERSON = "person", _("A person")
    PLACE = "place", _("A place")
    OTHER = "other", _("Something else")


class Item(Schema):
    model_config = ConfigDict(extra="forbid")


class TriggerItem(Item):
    category: TriggerCategory
    description: Line
    # The coping step matched to this trigger (IPT-DOMAIN §8).
    coping: Note = ""
    source: Source = ""

    @property
    def is_external(self) -> bool:
        return self.category in EXTERNAL_CATEGORIES

    @property
    def kind_label(self) -> str:
        """Its side and kind: "Internal — HALT (hungry, angry, lonely, tired)", "External — Using associates"."""
        side = _("External") if self.is_external else _("Internal")
        return f"{side} — {category_name(self.category)}"


class SignItem(Item):
    description: Line
    # Tied to the problem area: a dispute flaring, the anniversary of a death (IPT-DOMAIN §8).
    interpersonal: bool = False
    coping: Note = ""
    source: Source = ""


class ContactItem(Item):
    name: Name
    relationship: Short = ""
    # A phone number, or how to reach them ("Call or text 988").
    phone: Short = ""
    # When to call them, or what they can do.
    note: Note = ""
    source: Source = ""


class AvoidItem(Item):
    kind: AvoidKind
    description: Line
    source: Source = ""


class LapsePlan(Item):
    who_to_call: Note = ""
    how_to_come_back: Note = ""


class BoosterPlan(Item):
    frequency: Short = ""
    dates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES)


class PlanContent(Item):
    """The base of both documents."""


class RelapsePlanContent(PlanContent):
    reasons: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    triggers: list[TriggerItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    warning_signs: list[SignItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    support_contacts: list[ContactItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    avoid: list[AvoidItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    after_lapse: LapsePlan = Field(default_factory=LapsePlan)
    crisis_lines: list[ContactItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    booster_sessions: BoosterPlan = Field(default_factory=BoosterPlan)
    review_dates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES)


class SafetyPlanContent(PlanContent):
    warning_signs: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    internal_coping: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    distraction: list[ContactItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    help_contacts: list[ContactItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    professionals: list[ContactItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    safe_environment: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    worth_living_for: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)


# ---------------------------------------------------------------------------------------------------- sections


class SectionKind:
    """How a section is edited and shown: each kind has one form (forms.py) and one block in plans/_section.html."""

    LINES = "lines"
    TRIGGERS = "triggers"
    SIGNS = "signs"
    CONTACTS = "contacts"
    AVOID = "avoid"
    LAPSE = "lapse"
    BOOSTERS = "boosters"
    DATES = "dates"


# Kinds whose value is a list of items, to which suggestions are added.
LIST_KINDS = frozenset(
    {SectionKind.LINES, SectionKind.TRIGGERS, SectionKind.SIGNS, SectionKind.CONTACTS, SectionKind.AVOID}
)


@dataclass(frozen=True)
class Section:
    key: str
    kind: str
    label: Promise
    help: Promise
    # The Stanley–Brown step number; None for the relapse-prevention plan's sections.
    step: int | None = None
    # Needed before the version can be finalised.
    required: bool = False
    # Shown in an empty editor of a section of lines: examples of what the client might say.
    placeholder: Promise | None = None


RELAPSE_SECTIONS: tuple[Section, ...] = (
    # Nothing in the record is in the client's words, so nothing is suggested here (suggestions.py): the section asks.
    Section(
        "reasons",
        SectionKind.LINES,
        _("Reasons for recovery"),
        _(
            "What recovery is for, in the client's own words: ask who and what matters most to them, and what they "
            "want their life to look like."
        ),
        placeholder=_("For example:\nMy children\nKeeping my job\nFeeling like myself again"),
    ),
    Section(
        "triggers",
        SectionKind.TRIGGERS,
        _("Triggers and how to cope with each"),
        _(
            "External (people, places, times, paydays, using associates) and internal (feelings, thoughts, HALT), "
            "each with its coping step."
        ),
        required=True,
    ),
    Section(
        "warning_signs",
        SectionKind.SIGNS,
        _("Early warning signs"),
        _("Signs that a lapse may be coming, including interpersonal ones tied to the problem area."),
    ),
    Section(
        "support_contacts",
        SectionKind.CONTACTS,
        _("People to call"),
        _("People who support recovery, with their numbers."),
    ),
    Section("avoid", SectionKind.AVOID, _("People and places to avoid"), _("Who and where raises the risk of use.")),
    Section(
        "after_lapse",
        SectionKind.LAPSE,
        _("After a lapse"),
        _("A lapse is not a failure: who to call, and how to come back."),
        required=True,
    ),
    Section(
        "crisis_lines",
        SectionKind.CONTACTS,
        _("Crisis lines"),
        _("Call or text 988 at any time; veterans press 1."),
        required=True,
    ),
    Section(
        "booster_sessions",
        SectionKind.BOOSTERS,
        _("Booster or maintenance sessions"),
        _("How often, and the dates agreed."),
    ),
    Section("review_dates", SectionKind.DATES, _("Review dates"), _("When the plan is looked at again together.")),
)

SAFETY_SECTIONS: tuple[Section, ...] = (
    Section(
        "warning_signs",
        SectionKind.LINES,
        _("Warning signs"),
        _("Thoughts, images, moods, situations and behaviour that show a crisis may be developing."),
        step=1,
        required=True,
    ),
    Section(
        "internal_coping",
        SectionKind.LINES,
        _("Internal coping strategies"),
        _("Things the client can do alone to take their mind off the problems, without contacting anyone."),
        step=2,
        required=True,
    ),
    Section(
        "distraction",
        SectionKind.CONTACTS,
        _("People and social settings that provide distraction"),
        _("People to be with, and places to go, for a change of scene."),
        step=3,
        required=True,
    ),
    Section(
        "help_contacts",
        SectionKind.CONTACTS,
        _("People to ask for help"),
        _("People the client can tell that they are in crisis, with their numbers."),
        step=4,
        required=True,
    ),
    Section(
        "professionals",
        SectionKind.CONTACTS,
        _("Professionals and agencies to contact in a crisis"),
        _("The clinicians, the clinic, and crisis lines: call or text 988 (veterans press 1)."),
        step=5,
        required=True,
    ),
    Section(
        "safe_environment",
        SectionKind.LINES,
        _("Making the environment safe"),
        _("How access to lethal means (medication, firearms, substances) is reduced."),
        step=6,
        required=True,
    ),
    Section(
        "worth_living_for",
        SectionKind.LINES,
        _("Worth living for"),
        _("The one thing most important to the client (not one of the six steps; optional)."),
    ),
)


def sections_of(kind: str) -> tuple[Section, ...]:
    return SAFETY_SECTIONS if kind == "safety" else RELAPSE_SECTIONS


def section_of(kind: str, key: str) -> Section | None:
    return next((section for section in sections_of(kind) if section.key == key), None)


# ---------------------------------------------------------------------------------------------------- reading


def item_text(section: Section, item: Any) -> str:
    """One item as a line of text: what the versions page compares and the audit trail can show."""
    if isinstance(item, str | dt.date):
        return str(item)
    if isinstance(item, TriggerItem | SignItem):
        return f"{item.description} → {item.coping}" if item.coping else item.description
    if isinstance(item, ContactItem):
        return " · ".join(part for part in (item.name, item.relationship, item.phone, item.note) if part)
    if isinstance(item, AvoidItem):
        return item.description
    return str(item)


def section_lines(section: Section, value: Any) -> list[str]:
    """A section's value as lines of text, whatever its kind (single-form sections give one line per field)."""
    if isinstance(value, LapsePlan):
        return [line for line in (value.who_to_call, value.how_to_come_back) if line]
    if isinstance(value, BoosterPlan):
        return ([value.frequency] if value.frequency else []) + [d.isoformat() for d in value.dates]
    return [item_text(section, item) for item in value]


def is_filled(value: Any) -> bool:
    if isinstance(value, LapsePlan):
        return bool(value.how_to_come_back or value.who_to_call)
    if isinstance(value, BoosterPlan):
        return bool(value.frequency or value.dates)
    return bool(value)


def finalise_problems(kind: str, content: PlanContent) -> list[str]:
    """What stops a version from being finalised, as sentences to show the clinician."""
    problems = []
    for section in sections_of(kind):
        value = getattr(content, section.key)
        if section.required and not is_filled(value):
            problems.append(str(_("“%(section)s” is empty.") % {"section": section.label}))
    if isinstance(content, RelapsePlanContent):
        uncoped = [item.description for item in (*content.triggers, *content.warning_signs) if not item.coping]
        if uncoped:
            problems.append(
                str(_("Give each trigger and warning sign its coping step: %(items)s.") % {"items": "; ".join(uncoped)})
            )
        if not content.after_lapse.how_to_come_back:
            problems.append(str(_("Say how the client comes back after a lapse.")))
    return problems


@dataclass(frozen=True)
class SectionChange:
    section: Section
    added: list[str]
    removed: list[str]


def compare(kind: str, older: PlanContent, newer: PlanContent) -> list[SectionChange]:
    """What changed from one version to the next, section by section: lines added and lines removed."""
    changes = []
    for section in sections_of(kind):
        before = section_lines(section, getattr(older, section.key))
        after = section_lines(section, getattr(newer, section.key))
        added = [line for line in after if line not in before]
        removed = [line for line in before if line not in after]
        if added or removed:
            changes.append(SectionChange(section, added, removed))
    return changes


def without_sources(data: Any) -> Any:
    """The document without where each item came from: the client-facing copy (the portal, issue 6)."""
    if isinstance(data, dict):
        return {key: without_sources(value) for key, value in data.items() if key != "source"}
    if isinstance(data, list):
        return [without_sources(value) for value in data]
    return data

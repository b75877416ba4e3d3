"""What the client's record suggests for each section of a plan: their triggers, their people, the warning signs
their problem areas point to, and the crisis lines. The clinician picks from these with the client, then edits the
wording; nothing goes into a plan without being picked.

The plan speaks in the client's voice ("My relapse-prevention plan"), so the sentences built here do too: a person
recorded by a relationship word reads "my big sister", "my stepfather"; one recorded by a name, or by what the client
calls them ("Mum", "Dad"), keeps it: "the anniversary of Dad's death".

Reasons for recovery are not suggested: they are the client's own, and nothing in the record is written in their
words (the goals are the clinician's targets, with their evidence: "PHQ-9 below 10"). The section asks for them
instead (content.RELAPSE_SECTIONS).

Everything is read in a fixed number of queries (six), whatever the number of triggers or people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from iptcare.accounts.models import Organization
from iptcare.clients.models import Person, RelationshipType
from iptcare.ipt.circle import latest_per_person
from iptcare.ipt.models import (
    Episode,
    InventoryEntry,
    ProblemArea,
    ProblemAreaKind,
    RiskLevel,
    Trigger,
    TriggerType,
)
from iptcare.plans.content import (
    LINE_LENGTH,
    AvoidItem,
    AvoidKind,
    ContactItem,
    PlanContent,
    Section,
    SignItem,
    TriggerCategory,
    TriggerItem,
    category_name,
    item_text,
    sections_of,
)
from iptcare.plans.crisis_lines import crisis_lines_for

# The plan's category for each kind of recorded trigger; interpersonal triggers that involve someone who uses with
# the client become "using associates".
CATEGORY_OF_TRIGGER_TYPE = {
    TriggerType.INTERPERSONAL: TriggerCategory.PEOPLE,
    TriggerType.ENVIRONMENTAL: TriggerCategory.PLACES,
    TriggerType.EMOTIONAL: TriggerCategory.FEELINGS,
    TriggerType.PHYSICAL: TriggerCategory.PHYSICAL,
    TriggerType.HALT: TriggerCategory.HALT,
}
# Caseness on the PHQ-9 (IPT-DOMAIN §6): a score back at 10 or more is a warning sign worth naming.
PHQ9_CASENESS = 10

# The last word of a person recorded by who they are rather than by name ("Big sister", "Stepfather", "Shift lead",
# "Old crowd"): in a sentence of the plan they read "my big sister". The words a client calls a parent or grandparent
# by ("Mum", "Dad", "Grandad", "Nan") are names, and stay as written.
# fmt: off
RELATIONSHIP_NOUNS = frozenset({
    "partner", "husband", "wife", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancée", "ex", "ex-partner",
    "ex-husband", "ex-wife", "mother", "father", "parent", "parents", "stepmother", "stepfather", "stepmum", "stepmom",
    "stepdad", "mother-in-law", "father-in-law", "grandmother", "grandfather", "grandparent", "grandparents",
    "godmother", "godfather", "son", "daughter", "child", "children", "stepson", "stepdaughter", "eldest", "youngest",
    "one", "baby", "kids", "brother", "sister", "sibling", "twin", "stepbrother", "stepsister", "half-brother",
    "half-sister", "brother-in-law", "sister-in-law", "aunt", "uncle", "cousin", "niece", "nephew", "grandson",
    "granddaughter", "family", "friend", "friends", "neighbour", "neighbor", "flatmate", "housemate", "roommate",
    "colleague", "coworker", "co-worker", "boss", "manager", "lead", "supervisor", "mentor", "sponsor", "landlord",
    "landlady", "crowd", "contact", "dealer", "associate", "associates", "carer",
})
# fmt: on
# A place that reads after "at" once its first word is lower-cased: "at the family home", "at home, late evenings".
# Anything else may be a proper name or not a place at all ("High Street", "Walking home after work"), and follows a
# dash as written.
AT_PLACE_WORDS = frozenset({"the", "a", "an", "my", "our", "his", "her", "their", "this", "that", "home", "work"})
# Places that count as tied to use, besides those where the client uses with someone: the settings of environmental
# triggers of this risk.
AVOID_RISKS = frozenset({RiskLevel.MODERATE, RiskLevel.HIGH})
# The client's own home is no place to avoid: being there at a bad time is a trigger or a warning sign.
OWN_HOME = re.compile(
    r"^(?:(?:my|our|the)\s+(?:own\s+)?)?(?:home|flat|house|apartment|room|bedroom)\b(?!\s+part)", re.IGNORECASE
)


def in_my_words(name: str) -> str:
    """How a person's name reads in a sentence the client says: "my big sister" for "Big sister", "my partner" for
    "My partner", "Dave" and "Mum" as they are."""
    words = name.split()
    if not words:
        return name
    if words[0].casefold() in {"my", "our"}:
        return words[0].lower() + name[len(words[0]) :]
    plain = all(word == word.lower() for word in words[1:])
    if plain and words[-1].casefold() in RELATIONSHIP_NOUNS:
        return "my " + name[0].lower() + name[1:]
    return name


def _where(places: str) -> str:
    """The places of a trigger, to follow its description: "at the Anchor pub", or "— High Street"."""
    first = places.split(maxsplit=1)[0].strip(",;:").casefold()
    if first in AT_PLACE_WORDS:
        return _("at %(places)s") % {"places": places[0].lower() + places[1:]}
    return f"— {places}"


@dataclass(frozen=True)
class Suggestion:
    # Also the item's `source`, so a picked suggestion is recognised in the plan later.
    key: str
    label: str
    group: str
    item: Any
    detail: str = ""


@dataclass
class ClientRecord:
    """What the suggestions are built from, read once."""

    episode: Episode
    triggers: list[Trigger]
    latest_entries: dict[int, InventoryEntry]
    areas: list[ProblemArea]
    people: list[Person]
    organization_slug: str
    # Person ids by what their latest inventory entry (or their relationship) says.
    supportive: set[int] = field(default_factory=set)
    using: set[int] = field(default_factory=set)
    # People who died (grief areas): never offered as someone to call.
    deceased: set[int] = field(default_factory=set)


def read_record(episode: Episode) -> ClientRecord:
    client = episode.client
    triggers = list(Trigger.objects.filter(client=client, is_active=True).prefetch_related("people").order_by("id"))
    entries = InventoryEntry.objects.filter(episode__client=client).select_related("person")
    latest = {entry.person_id: entry for entry in latest_per_person(entries)}
    areas = list(
        ProblemArea.objects.filter(formulation__episode=episode)
        .select_related("dispute_with", "deceased")
        .prefetch_related("goals")
        .order_by("id")
    )
    people = list(Person.objects.filter(client=client).order_by("name", "id"))
    slug = Organization.objects.filter(pk=client.organization_id).values_list("slug", flat=True).get()
    record = ClientRecord(episode, triggers, latest, areas, people, slug)
    record.deceased = {area.deceased_id for area in areas if area.deceased_id}
    for person in people:
        if person.pk in record.deceased:
            continue
        entry = latest.get(person.pk)
        if (entry and entry.uses_with_client) or person.relationship_type == RelationshipType.USING_ASSOCIATE:
            record.using.add(person.pk)
        elif (entry and entry.supports_recovery) or person.is_support_contact:
            record.supportive.add(person.pk)
    return record


# ---------------------------------------------------------------------------------------------------- triggers


def _trigger_item(trigger: Trigger, record: ClientRecord) -> TriggerItem:
    people = list(trigger.people.all())
    category = CATEGORY_OF_TRIGGER_TYPE.get(TriggerType(trigger.trigger_type), TriggerCategory.FEELINGS)
    if category == TriggerCategory.PEOPLE and any(p.pk in record.using for p in people):
        category = TriggerCategory.USING_ASSOCIATES
    text = trigger.description
    # Someone the description names already is not named twice.
    others = [p for p in people if p.name.casefold() not in text.casefold()]
    if others:
        text += " " + _("(with %(people)s)") % {"people": ", ".join(in_my_words(p.name) for p in others)}
    if trigger.places.strip():
        text += " " + _where(trigger.places.strip())
    return TriggerItem(
        category=category,
        description=text[:LINE_LENGTH],
        coping=trigger.coping_response,
        source=f"trigger:{trigger.pk}",
    )


def trigger_suggestions(record: ClientRecord) -> list[Suggestion]:
    recorded = _("Recorded triggers")
    common = _("Common triggers")
    suggestions = []
    for trigger in record.triggers:
        item = _trigger_item(trigger, record)
        detail = " · ".join(
            part
            for part in (
                category_name(item.category),
                _("risk: %(risk)s") % {"risk": trigger.get_risk_level_display().lower()},
                trigger.feelings,
            )
            if part
        )
        suggestions.append(Suggestion(item.source, item.description, recorded, item, detail))
    suggestions += [
        Suggestion(
            "common:payday",
            _("Payday: money in hand"),
            common,
            TriggerItem(
                category=TriggerCategory.PAYDAYS, description=_("Payday: money in hand"), source="common:payday"
            ),
        ),
        Suggestion(
            "common:halt",
            _("Hungry, angry, lonely or tired (HALT)"),
            common,
            TriggerItem(
                category=TriggerCategory.HALT,
                description=_("Hungry, angry, lonely or tired (HALT)"),
                coping=_("Stop and check: eat something, say what is wrong, call someone, rest."),
                source="common:halt",
            ),
        ),
    ]
    return suggestions


# ---------------------------------------------------------------------------------------------------- warning signs


def _area_sign(area: ProblemArea) -> SignItem:
    """The interpersonal warning sign a problem area points to (IPT-DOMAIN §2 and §8), in the client's words."""
    if area.kind == ProblemAreaKind.ROLE_DISPUTE:
        text = (
            _("The dispute with %(person)s flaring up again") % {"person": in_my_words(area.dispute_with.name)}
            if area.dispute_with
            else _("The dispute flaring up again")
        )
    elif area.kind == ProblemAreaKind.GRIEF and area.deceased and area.death_date:
        text = _("The anniversary of %(person)s's death (%(date)s)") % {
            "person": in_my_words(area.deceased.name),
            "date": date_format(area.death_date, "j F"),
        }
    elif area.kind == ProblemAreaKind.GRIEF:
        who = in_my_words(area.deceased.name) if area.deceased else _("the person who died")
        text = _("Reminders of %(person)s: anniversaries, birthdays, holidays") % {"person": who}
    elif area.kind == ProblemAreaKind.ROLE_TRANSITION and (area.old_role or area.new_role):
        text = _("Struggling in the new role (%(new)s) or missing the old one (%(old)s)") % {
            "new": area.new_role or "—",
            "old": area.old_role or "—",
        }
    elif area.kind == ProblemAreaKind.ROLE_TRANSITION:
        text = _("Struggling with the change in role")
    else:
        text = _("Pulling away from people: days without talking to anyone")
    return SignItem(description=text[:LINE_LENGTH], interpersonal=True, source=f"area:{area.pk}:{area.kind}")


def _conflict_sign(entry: InventoryEntry) -> SignItem:
    text = _("Conflict with %(person)s") % {"person": in_my_words(entry.person.name)}
    if entry.conflict_pattern:
        text += f" ({entry.conflict_pattern})"
    return SignItem(description=text[:LINE_LENGTH], interpersonal=True, source=f"person:{entry.person_id}:conflict")


def warning_sign_suggestions(record: ClientRecord) -> list[Suggestion]:
    from_areas = _("From the problem areas")
    from_people = _("From the interpersonal inventory")
    suggestions = [
        Suggestion(item.source, item.description, from_areas, item, str(area.get_kind_display()))
        for area in record.areas
        for item in [_area_sign(area)]
    ]
    disputed = {area.dispute_with_id for area in record.areas if area.dispute_with_id}
    for person in record.people:
        entry = record.latest_entries.get(person.pk)
        strained = entry is not None and (entry.conflict_pattern or entry.expectations_met == "not_met")
        if strained and person.pk not in disputed:
            item = _conflict_sign(entry)
            suggestions.append(Suggestion(item.source, item.description, from_people, item))
    low_mood = _("Low mood coming back (PHQ-9 of %(score)d or more)") % {"score": PHQ9_CASENESS}
    suggestions.append(
        Suggestion(
            "common:low_mood",
            low_mood,
            _("Common signs"),
            SignItem(description=low_mood, source="common:low_mood"),
        )
    )
    return suggestions


# ---------------------------------------------------------------------------------------------------- people


def _contact(person: Person) -> ContactItem:
    return ContactItem(
        name=person.name[:120],
        relationship=str(person.get_relationship_type_display()),
        phone=person.phone,
        source=f"person:{person.pk}",
    )


def _contact_suggestion(person: Person, group: str) -> Suggestion:
    item = _contact(person)
    detail = person.phone or _("no phone number recorded")
    return Suggestion(item.source, person.name, group, item, f"{item.relationship} · {detail}")


def supportive_contact_suggestions(record: ClientRecord) -> list[Suggestion]:
    """People to call: only those whose latest inventory entry says they support recovery, or who are marked as a
    support contact (never someone who uses with the client, nor who died). Anyone else may still be typed in."""
    group = _("Support recovery")
    return [_contact_suggestion(p, group) for p in record.people if p.pk in record.supportive]


def contact_suggestions(record: ClientRecord) -> list[Suggestion]:
    """People for distraction (the safety plan's step 3): supportive people first, then everyone else except those
    who use with the client and those who died."""
    others = _("Other people in the client's life")
    rest = [
        _contact_suggestion(p, others)
        for p in record.people
        if p.pk not in record.supportive | record.using | record.deceased
    ]
    return supportive_contact_suggestions(record) + rest


def _avoid_person(person: Person) -> Suggestion:
    relationship = str(person.get_relationship_type_display())
    text = f"{person.name} ({relationship[:1].lower()}{relationship[1:]})"
    item = AvoidItem(kind=AvoidKind.PERSON, description=text[:LINE_LENGTH], source=f"person:{person.pk}")
    return Suggestion(item.source, text, _("Uses with the client"), item)


def places_tied_to_use(trigger: Trigger, record: ClientRecord) -> str:
    """The places of a trigger that are tied to use: those of a trigger shared with someone who uses with the client,
    or of an environmental trigger of moderate or high risk, leaving out the client's own home; "" for any other
    trigger. A place that brings back a loss (the family home, the cemetery) is a warning sign, not one to avoid."""
    with_user = any(person.pk in record.using for person in trigger.people.all())
    risky_setting = trigger.trigger_type == TriggerType.ENVIRONMENTAL and trigger.risk_level in AVOID_RISKS
    if not (with_user or risky_setting):
        return ""
    parts = [part.strip() for part in trigger.places.split(";")]
    return "; ".join(part for part in parts if part and not OWN_HOME.match(part))


def avoid_suggestions(record: ClientRecord) -> list[Suggestion]:
    """People whose latest inventory entry says they use with the client (or who are using associates), and the
    places tied to use (places_tied_to_use)."""
    suggestions = [_avoid_person(person) for person in record.people if person.pk in record.using]
    for trigger in record.triggers:
        places = places_tied_to_use(trigger, record)
        if places:
            text = (places[:1].upper() + places[1:])[:LINE_LENGTH]
            item = AvoidItem(kind=AvoidKind.PLACE, description=text, source=f"trigger:{trigger.pk}:places")
            suggestions.append(Suggestion(item.source, text, _("Places tied to use"), item, trigger.description))
    return suggestions


def crisis_line_suggestions(record: ClientRecord) -> list[Suggestion]:
    group = _("Crisis lines")
    return [
        Suggestion(line.source, line.name, group, line, line.phone)
        for line in crisis_lines_for(record.organization_slug)
    ]


def professional_suggestions(record: ClientRecord) -> list[Suggestion]:
    therapist = record.episode.primary_therapist
    item = ContactItem(
        name=(therapist.full_name or therapist.email)[:120],
        relationship=_("Therapist"),
        source=f"staff:{therapist.pk}",
    )
    return [Suggestion(item.source, item.name, _("The care team"), item), *crisis_line_suggestions(record)]


BUILDERS: dict[tuple[str, str], Callable[[ClientRecord], list[Suggestion]]] = {
    ("relapse_prevention", "triggers"): trigger_suggestions,
    ("relapse_prevention", "warning_signs"): warning_sign_suggestions,
    ("relapse_prevention", "support_contacts"): supportive_contact_suggestions,
    ("relapse_prevention", "avoid"): avoid_suggestions,
    ("relapse_prevention", "crisis_lines"): crisis_line_suggestions,
    ("safety", "distraction"): contact_suggestions,
    ("safety", "help_contacts"): supportive_contact_suggestions,
    ("safety", "professionals"): professional_suggestions,
}


# ---------------------------------------------------------------------------------------------------- in the plan


def _in_section(section: Section, value: list[Any], suggestion: Suggestion) -> bool:
    """Picked already: the same source, or the same words."""
    sources = {getattr(item, "source", "") for item in value}
    texts = {item_text(section, item).casefold() for item in value}
    return suggestion.key in sources or item_text(section, suggestion.item).casefold() in texts


def suggestions_for(kind: str, record: ClientRecord, content: PlanContent) -> dict[str, list[Suggestion]]:
    """Per section key, the suggestions not yet in the plan."""
    result = {}
    for section in sections_of(kind):
        builder = BUILDERS.get((kind, section.key))
        if builder is None:
            continue
        value = getattr(content, section.key)
        result[section.key] = [s for s in builder(record) if not _in_section(section, value, s)]
    return result


def offers_suggestions(kind: str, key: str) -> bool:
    """Whether the record suggests anything for a section (reasons for recovery, for one, are the client's own)."""
    return (kind, key) in BUILDERS


def suggestions_for_section(kind: str, episode: Episode, key: str, content: PlanContent) -> list[Suggestion]:
    """One section's suggestions not yet in the plan; the record is read only for sections that have any."""
    if not offers_suggestions(kind, key):
        return []
    return suggestions_for(kind, read_record(episode), content).get(key, [])

"""Recording and correcting inventory entries, and reading an episode's inventory.

A new entry for a person on a later date keeps the earlier ones, so the closeness circle can be compared between
dates; editing an entry corrects it in place, with the old and new values in the audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.models import Person
from iptcare.ipt.models import Episode, InventoryEntry

if TYPE_CHECKING:
    from iptcare.accounts.models import User

ENTRY_FIELDS = (
    "recorded_on",
    "ring",
    "contact_frequency",
    "good_things",
    "not_so_good",
    "can_talk_about",
    "cannot_talk_about",
    "client_expects",
    "they_expect",
    "expectations_met",
    "conflict_pattern",
    "knows_about_problems",
    "change_since_onset",
    "uses_with_client",
    "supports_recovery",
    "part_in_triggers",
)
DUPLICATE_DATE = gettext_lazy("This person already has an entry on that date; edit it instead.")


def _values(entry: InventoryEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


@transaction.atomic
def do_record_inventory_entry(
    episode: Episode, person: Person, data: dict[str, Any], *, acting_user: User
) -> InventoryEntry:
    if person.client_id != episode.client_id:
        raise ValidationError({"person": _("Choose someone in this client's life.")})
    entry = InventoryEntry(
        episode=episode,
        person=person,
        recorded_by=acting_user,
        **{name: data[name] for name in ENTRY_FIELDS if name in data},
    )
    entry.full_clean(exclude=["episode", "person", "recorded_by"], validate_constraints=False)
    _save(entry)
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=entry,
        changes=diff_fields({}, _values(entry)),
        extra={"kind": "inventory", "episode": episode.pk, "person": person.pk, "action": "recorded"},
    )
    return entry


@transaction.atomic
def do_update_inventory_entry(entry: InventoryEntry, data: dict[str, Any], *, acting_user: User) -> InventoryEntry:
    # Read the stored row: a ModelForm has already copied the new values onto `entry`.
    before = _values(InventoryEntry.objects.select_for_update().get(pk=entry.pk))
    for name in ENTRY_FIELDS:
        if name in data:
            setattr(entry, name, data[name])
    changes = diff_fields(before, _values(entry))
    if not changes:
        return entry
    entry.full_clean(exclude=["episode", "person", "recorded_by"], validate_constraints=False)
    _save(entry, update_fields=list(changes))
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=entry.episode.client,
        obj=entry,
        changes=changes,
        extra={"kind": "inventory", "episode": entry.episode_id, "person": entry.person_id, "action": "corrected"},
    )
    return entry


def _save(entry: InventoryEntry, update_fields: list[str] | None = None) -> None:
    """Saves, turning the one-entry-per-person-per-date constraint into a message for the date field (two
    people may submit at once, so the form's own check is not enough)."""
    try:
        with transaction.atomic():
            entry.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationError({"recorded_on": DUPLICATE_DATE}) from None


# ---------------------------------------------------------------------------------------------------- reads


def inventory_of(episode: Episode) -> list[InventoryEntry]:
    """Every entry of the episode, with its person, oldest first: one query, whatever the number of people."""
    return list(
        InventoryEntry.objects.filter(episode=episode)
        .select_related("person", "recorded_by")
        .order_by("recorded_on", "id")
    )


def people_not_in_inventory(episode: Episode) -> list[Person]:
    """The client's people who have no entry in this episode yet."""
    return list(
        Person.objects.filter(client_id=episode.client_id)
        .exclude(inventory_entries__episode=episode)
        .order_by("name", "id")
    )


def record_inventory_read(episode: Episode, *, acting_user: User, **extra: Any) -> None:
    """Reads of the inventory are audited too (HIPAA audit controls)."""
    record_event(
        EventType.EPISODE_VIEWED,
        actor=acting_user,
        client=episode.client,
        obj=episode,
        extra={"kind": "inventory", **extra},
    )

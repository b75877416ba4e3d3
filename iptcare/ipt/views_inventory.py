"""The interpersonal inventory pages: the people with their latest entry and ring history, recording and correcting
entries, and the closeness circle then and now (IPT-DOMAIN §4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.accounts.access import require_staff
from iptcare.clients.models import Client, Person
from iptcare.consent.models import DataCategory
from iptcare.consent.printing import handle_print_disclosure, print_stamp_context
from iptcare.ipt.access import access_episode_by_id
from iptcare.ipt.actions_inventory import (
    do_record_inventory_entry,
    do_update_inventory_entry,
    inventory_of,
    people_not_in_inventory,
    record_inventory_read,
)
from iptcare.ipt.circle import (
    RingChange,
    closeness_circle_svg,
    compare_circles,
    default_then,
    latest_per_person,
    ring_changes,
    tone_label,
    tone_of,
)
from iptcare.ipt.forms_inventory import CircleDatesForm, InventoryEntryForm, initial_from
from iptcare.ipt.models import Episode, InventoryEntry


@dataclass(frozen=True)
class InventoryRow:
    """One person on the inventory page: their latest entry, their ring changes, and every entry."""

    entry: InventoryEntry
    tone: str
    tone_label: str
    changes: list[RingChange]
    entries: list[InventoryEntry]

    @property
    def last_change(self) -> RingChange | None:
        return self.changes[-1] if self.changes else None


def _can_write(request: HttpRequest, episode: Episode) -> bool:
    return Client.objects.openable_by(request.user, write=True).filter(pk=episode.client_id).exists()


def _access_entry(request: HttpRequest, client_id: int, episode_id: int, entry_id: int) -> InventoryEntry:
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    try:
        entry = InventoryEntry.objects.select_related("person").get(episode=episode, pk=entry_id)
    except (InventoryEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("No inventory entry found.") from None
    entry.episode = episode
    return entry


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@require_staff
def inventory(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    episode = access_episode_by_id(request.user, client_id, episode_id)
    record_inventory_read(episode, acting_user=request.user, view="list")
    entries = inventory_of(episode)
    changes = ring_changes(entries)
    by_person: dict[int, list[InventoryEntry]] = {}
    for entry in reversed(entries):
        by_person.setdefault(entry.person_id, []).append(entry)
    current = latest_per_person(entries)
    rows = [
        InventoryRow(
            entry=entry,
            tone=tone_of(entry),
            tone_label=tone_label(entry),
            changes=changes.get(entry.person_id, []),
            entries=by_person[entry.person_id],
        )
        for entry in current
    ]
    context = {
        "client": episode.client,
        "episode": episode,
        "rows": rows,
        "not_listed": people_not_in_inventory(episode),
        "circle": closeness_circle_svg(
            current,
            title=_("Closeness circle today"),
            chart_id="circle-current",
            centre_label=episode.client.preferred_name or episode.client.given_name,
        ),
        "can_write": _can_write(request, episode),
    }
    return render(request, "ipt/inventory.html", context)


@require_staff
def inventory_entry_new(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """Records how things stand with one person on one date; the person's earlier entries are kept."""
    episode = access_episode_by_id(request.user, client_id, episode_id, write=True)
    initial = {}
    chosen = _chosen_person(episode, request.GET.get("person", ""))
    if chosen is not None:
        latest = episode.inventory.filter(person=chosen).order_by("-recorded_on", "-id").first()
        initial = initial_from(latest) if latest else {"person": chosen.pk}
    form = InventoryEntryForm(request.POST or None, episode=episode, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = do_record_inventory_entry(
                episode, form.cleaned_data["person"], form.cleaned_data, acting_user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Recorded %(name)s in ring %(ring)d as of %(date)s.")
                % {"name": entry.person.name, "ring": entry.ring, "date": entry.recorded_on.isoformat()},
            )
            return redirect("inventory", client_id=episode.client_id, episode_id=episode.pk)
    context = {"client": episode.client, "episode": episode, "form": form, "entry": None, "person": chosen}
    return render(request, "ipt/inventory_entry_form.html", context)


def _chosen_person(episode: Episode, person_id: str) -> Person | None:
    if not person_id.isdigit():
        return None
    return Person.objects.filter(client_id=episode.client_id, pk=person_id).first()


@require_staff
def inventory_entry_edit(request: HttpRequest, client_id: int, episode_id: int, entry_id: int) -> HttpResponse:
    """Corrects an entry in place; the audit trail keeps the old and new values."""
    entry = _access_entry(request, client_id, episode_id, entry_id)
    episode = entry.episode
    form = InventoryEntryForm(request.POST or None, instance=entry, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_inventory_entry(entry, form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved the changes to %(name)s's entry.") % {"name": entry.person.name})
            return redirect("inventory", client_id=episode.client_id, episode_id=episode.pk)
    else:
        record_inventory_read(episode, acting_user=request.user, view="entry", entry=entry.pk)
    context = {"client": episode.client, "episode": episode, "form": form, "entry": entry, "person": entry.person}
    return render(request, "ipt/inventory_entry_form.html", context)


@require_staff
def closeness_circle(request: HttpRequest, client_id: int, episode_id: int) -> HttpResponse:
    """Two circles side by side, as of "then" and "now", and what changed between them. With ?print=1 the page
    carries what a printout needs: who the client is, the dates, who printed it and when, and the 42 CFR Part 2
    notice. Printing is a read like any other, and audited as one."""
    episode = access_episode_by_id(request.user, client_id, episode_id)
    entries = inventory_of(episode)
    dates = CircleDatesForm(request.GET)
    chosen: dict[str, dt.date | None] = dates.cleaned_data if dates.is_valid() else {}
    now = chosen.get("now") or timezone.localdate()
    # By default: the first inventory against today.
    then = chosen.get("then") or default_then(entries, fallback=episode.start_date, now=now)
    form = dates if dates.errors else CircleDatesForm(initial={"then": then, "now": now})
    printing = request.GET.get("print") == "1"
    # A printout for someone outside the program is a disclosure: the gate decides, and it is recorded.
    disclosure_form, response = handle_print_disclosure(
        request,
        episode.client,
        categories=[DataCategory.RELATIONSHIPS],
        document=f"Closeness circle as of {then.isoformat()} and {now.isoformat()}",
    )
    if response is not None:
        return response
    stamp = print_stamp_context(request, episode.client, disclosure_form)
    record_inventory_read(
        episode,
        acting_user=request.user,
        view="circle",
        then=str(then),
        now=str(now),
        **({"printed": True} if printing else {}),
    )
    centre = episode.client.preferred_name or episode.client.given_name
    then_entries, now_entries, changes = compare_circles(entries, then, now)
    changed = {change.person_id for change in changes}
    context = {
        "client": episode.client,
        "episode": episode,
        "form": form,
        "then": then,
        "now": now,
        "then_circle": closeness_circle_svg(
            then_entries,
            title=_("Closeness circle as of %(date)s") % {"date": then.isoformat()},
            chart_id="circle-then",
            centre_label=centre,
        ),
        "now_circle": closeness_circle_svg(
            now_entries,
            title=_("Closeness circle as of %(date)s") % {"date": now.isoformat()},
            chart_id="circle-now",
            centre_label=centre,
        ),
        "changes": changes,
        "unchanged": [entry for entry in now_entries if entry.person_id not in changed],
        "printing": printing,
        "printed_at": timezone.localtime(),
        "part2_notice": stamp["disclosure_notice"],
        **stamp,
    }
    return render(request, "ipt/circle.html", context)

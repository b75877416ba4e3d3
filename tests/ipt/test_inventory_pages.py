"""The interpersonal inventory pages: recording entries per person and date, correcting them, the list with ring
history, and the closeness circle then and now. Reads need a record the person may open, writes need care-team
membership; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_inventory import do_record_inventory_entry
from iptcare.ipt.forms_inventory import InventoryEntryForm
from iptcare.ipt.models import Episode, InventoryEntry
from iptcare.lib.notices import PART2_SHORT_NOTICE
from tests.conftest import make_client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


def url(episode: Episode, page: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/inventory/{page}"


def form_data(person: Person, **fields: Any) -> dict[str, Any]:
    return {
        "person": person.pk,
        "recorded_on": "2026-03-02",
        "ring": "2",
        "expectations_met": "",
        "knows_about_problems": "unknown",
        **fields,
    }


def record(episode: Episode, person: Person, ring: int, on: dt.date, user: User, **fields: Any) -> InventoryEntry:
    return do_record_inventory_entry(episode, person, {"ring": ring, "recorded_on": on, **fields}, acting_user=user)


def add_person(client: Client, name: str, relationship: str = "friend") -> Person:
    return Person.objects.create(client=client, name=name, relationship_type=relationship)


class TestRecordingEntries:
    def test_it_records_an_entry_and_audits_it(self, episode: Episode, sister: Person, alice: User) -> None:
        data = form_data(
            sister,
            ring="1",
            good_things="Calls every Sunday",
            supports_recovery="on",
            expectations_met="partly",
            knows_about_problems="true",
        )
        response = sign_in(alice).post(url(episode, "new/"), data, follow=True)
        assert response.redirect_chain[-1][0] == url(episode)
        entry = InventoryEntry.objects.get()
        assert (entry.episode, entry.person, entry.recorded_on, entry.ring) == (episode, sister, march(2), 1)
        assert (entry.supports_recovery, entry.uses_with_client, entry.knows_about_problems) == (True, False, True)
        assert (entry.expectations_met, entry.good_things, entry.recorded_by) == ("partly", "Calls every Sunday", alice)
        assert "Recorded Big sister in ring 1 as of 2026-03-02." in response.content.decode()
        event = AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.inventoryentry", object_id=str(entry.pk)
        ).get()
        assert (event.actor, event.client, event.extra["kind"]) == (alice, episode.client, "inventory")
        assert event.extra["changes"]["ring"] == [None, 1]

    def test_it_keeps_the_earlier_entry_when_the_ring_changes_on_a_later_date(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        http = sign_in(alice)
        http.post(url(episode, "new/"), form_data(sister, ring="2", recorded_on="2026-03-02"))
        http.post(url(episode, "new/"), form_data(sister, ring="1", recorded_on="2026-03-20"))
        assert list(InventoryEntry.objects.order_by("recorded_on").values_list("recorded_on", "ring")) == [
            (march(2), 2),
            (march(20), 1),
        ]
        html = http.get(url(episode)).content.decode()
        assert "Moved closer (ring 2 → 1) since 2026-03-20" in html

    def test_it_refuses_a_second_entry_for_a_person_on_the_same_date(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        response = sign_in(alice).post(url(episode, "new/"), form_data(sister, ring="1"))
        assert response.status_code == 200
        assert response.context["form"].errors["recorded_on"] == [
            "This person already has an entry on that date; edit it instead."
        ]
        assert InventoryEntry.objects.get().ring == 2

    def test_the_database_keeps_one_entry_per_person_per_date_even_past_the_form(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        with pytest.raises(ValidationError) as error:
            record(episode, sister, 1, march(2), alice)
        assert "recorded_on" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            InventoryEntry.objects.create(
                episode=episode, person=sister, recorded_on=march(2), ring=3, recorded_by=alice
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            InventoryEntry.objects.create(
                episode=episode, person=sister, recorded_on=march(3), ring=5, recorded_by=alice
            )

    @pytest.mark.parametrize(("ring", "valid"), [("0", False), ("1", True), ("4", True), ("5", False), ("", False)])
    def test_the_form_takes_rings_1_to_4(self, episode: Episode, sister: Person, ring: str, valid: bool) -> None:
        form = InventoryEntryForm(data=form_data(sister, ring=ring), episode=episode)
        assert form.is_valid() is valid
        if not valid:
            assert "ring" in form.errors

    def test_it_refuses_a_date_in_the_future(self, episode: Episode, sister: Person) -> None:
        form = InventoryEntryForm(data=form_data(sister, recorded_on="2026-04-01"), episode=episode)
        assert form.errors["recorded_on"] == ["The date cannot be in the future."]
        assert InventoryEntryForm(data=form_data(sister, recorded_on="2026-03-31"), episode=episode).is_valid()

    def test_it_refuses_a_date_before_the_client_was_born(self, episode: Episode, sister: Person, alice: User) -> None:
        born = episode.client.date_of_birth
        day_before = (born - dt.timedelta(days=1)).isoformat()
        response = sign_in(alice).post(url(episode, "new/"), form_data(sister, recorded_on=day_before))
        assert response.status_code == 200
        assert response.context["form"].errors["recorded_on"] == ["The date is before the client was born."]
        assert not InventoryEntry.objects.exists()
        form = InventoryEntryForm(data=form_data(sister, recorded_on=born.isoformat()), episode=episode)
        assert form.is_valid()
        widget = form.fields["recorded_on"].widget
        assert (widget.attrs["min"], widget.attrs["max"]) == (born.isoformat(), "2026-03-31")

    def test_a_correction_cannot_move_the_date_into_the_future(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        entry = record(episode, sister, 2, march(2), alice)
        response = sign_in(alice).post(url(episode, f"{entry.pk}/"), form_data(sister, recorded_on="2026-04-01"))
        assert response.context["form"].errors["recorded_on"] == ["The date cannot be in the future."]
        entry.refresh_from_db()
        assert entry.recorded_on == march(2)

    def test_it_offers_only_the_clients_own_people(
        self, episode: Episode, sister: Person, alice: User, north: Organization, north_site: Site
    ) -> None:
        stranger = add_person(make_client(north, north_site, primary=alice), "Someone else's sister")
        form = InventoryEntryForm(episode=episode)
        assert list(form.fields["person"].queryset) == [sister]
        response = sign_in(alice).post(url(episode, "new/"), form_data(stranger))
        assert "person" in response.context["form"].errors
        assert not InventoryEntry.objects.exists()

    def test_it_preselects_the_person_and_starts_from_their_latest_entry(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 3, march(2), alice, conflict_pattern="Old rows about money")
        record(episode, sister, 2, march(9), alice, conflict_pattern="Rows about money")
        response = sign_in(alice).get(url(episode, f"new/?person={sister.pk}"))
        form = response.context["form"]
        assert (form["person"].value(), form["ring"].value(), form["recorded_on"].value()) == (
            sister.pk,
            2,
            march(31),
        )
        assert form["conflict_pattern"].value() == "Rows about money"
        assert "New inventory entry for Big sister" in response.content.decode()

    def test_it_corrects_an_entry_in_place_and_audits_old_and_new_values(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        entry = record(episode, sister, 2, march(2), alice, good_things="Lends money")
        http = sign_in(alice)
        page = http.get(url(episode, f"{entry.pk}/"))
        assert page.context["form"].fields["person"].disabled
        data = form_data(sister, ring="3", good_things="Lends money", uses_with_client="on")
        response = http.post(url(episode, f"{entry.pk}/"), data)
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (InventoryEntry.objects.count(), entry.ring, entry.uses_with_client) == (1, 3, True)
        event = AuditEvent.objects.filter(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.inventoryentry", object_id=str(entry.pk)
        ).latest("id")
        assert event.extra["kind"] == "inventory"
        assert event.extra["changes"] == {"ring": [2, 3], "uses_with_client": [False, True]}

    def test_a_correction_cannot_move_an_entry_onto_another_entrys_date(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        later = record(episode, sister, 1, march(9), alice)
        response = sign_in(alice).post(url(episode, f"{later.pk}/"), form_data(sister, ring="1"))
        assert "recorded_on" in response.context["form"].errors
        later.refresh_from_db()
        assert later.recorded_on == march(9)


class TestTheInventoryPage:
    def test_it_shows_each_persons_latest_entry_and_who_is_not_listed_yet(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        dealer = add_person(episode.client, "<b>Dave</b>", "using_associate")
        mum = add_person(episode.client, "Mum", "parent")
        record(episode, sister, 2, march(2), alice, supports_recovery=True, expectations_met="met")
        record(episode, sister, 1, march(20), alice, supports_recovery=True, expectations_met="met")
        record(episode, dealer, 3, march(2), alice, uses_with_client=True, conflict_pattern="Pushes me to use")
        response = sign_in(alice).get(url(episode))
        assert response.status_code == 200
        html = response.content.decode()
        rows = {row.entry.person.name: row for row in response.context["rows"]}
        assert list(rows) == ["<b>Dave</b>", "Big sister"]
        assert (rows["Big sister"].entry.ring, rows["Big sister"].entry.recorded_on) == (1, march(20))
        assert "Moved closer (ring 2 → 1) since 2026-03-20" in html
        assert "&lt;b&gt;Dave&lt;/b&gt;" in html and "<b>Dave</b>" not in html
        assert "Pushes me to use" in html and "Conflict or expectations not met" in html
        assert [p.name for p in response.context["not_listed"]] == ["Mum"]
        assert f"new/?person={mum.pk}" in html
        assert f"new/?person={sister.pk}" in html  # "Record a new entry" for someone listed
        assert html.count('<svg class="chart closeness-circle"') == 1
        assert 'aria-current="page"' in html  # the episode navigation, on "Inventory"
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).latest("id")
        assert (event.actor, event.client, event.extra["kind"]) == (alice, episode.client, "inventory")

    def test_its_query_count_does_not_grow_with_the_number_of_people(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        record(episode, sister, 1, march(9), alice)
        http = sign_in(alice)
        http.get(url(episode))  # warm the session and any caches
        with CaptureQueriesContext(connection) as few:
            assert http.get(url(episode)).status_code == 200
        for n in range(6):
            person = add_person(episode.client, f"Friend {n}")
            record(episode, person, 1 + n % 4, march(2), alice)
            record(episode, person, 1 + (n + 1) % 4, march(9), alice, supports_recovery=True)
        add_person(episode.client, "Not yet listed")
        with CaptureQueriesContext(connection) as many:
            response = http.get(url(episode))
        assert len(response.context["rows"]) == 7
        assert len(many) == len(few)

    def test_it_hides_write_links_from_a_supervisor(
        self, episode: Episode, sister: Person, alice: User, bob: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        response = sign_in(bob).get(url(episode))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Record a new entry" not in html and url(episode, "new/") not in html


class TestTheClosenessCircle:
    def test_it_draws_then_and_now_with_a_table_of_changes(self, episode: Episode, sister: Person, alice: User) -> None:
        mum, sponsor = add_person(episode.client, "Mum", "parent"), add_person(episode.client, "Sponsor", "sponsor")
        dealer = add_person(episode.client, "Dealer", "using_associate")
        record(episode, sister, 2, march(2), alice)
        record(episode, sister, 1, march(20), alice)
        record(episode, mum, 3, march(2), alice)
        record(episode, dealer, 1, march(2), alice, uses_with_client=True)
        record(episode, dealer, 4, march(21), alice, uses_with_client=True)
        record(episode, sponsor, 2, march(25), alice, supports_recovery=True)
        response = sign_in(alice).get(url(episode, "circle/?then=2026-03-10&now=2026-03-31"))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('<svg class="chart closeness-circle"') == 2
        assert "Closeness circle as of 2026-03-10" in html and "Closeness circle as of 2026-03-31" in html
        changes = [(c.kind, c.name, c.then_ring, c.now_ring) for c in response.context["changes"]]
        assert changes == [
            ("closer", "Big sister", 2, 1),
            ("further", "Dealer", 1, 4),
            ("new", "Sponsor", None, 2),
        ]
        assert "Moved closer (ring 2 → 1)" in html and "Moved further out (ring 1 → 4)" in html
        assert "New since 2026-03-10 (not in the inventory then)" in html
        assert "What changed between 2026-03-10 and 2026-03-31" in html
        assert [e.person.name for e in response.context["unchanged"]] == ["Mum"]
        assert "?then=2026-03-10&amp;now=2026-03-31&amp;print=1" in html
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).latest("id")
        assert event.extra == {"kind": "inventory", "view": "circle", "then": "2026-03-10", "now": "2026-03-31"}

    def test_it_compares_the_first_inventory_with_today_by_default(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 3, march(5), alice)
        record(episode, sister, 2, march(12), alice)
        response = sign_in(alice).get(url(episode, "circle/"))
        assert (response.context["then"], response.context["now"]) == (march(5), march(31))
        assert [(c.kind, c.then_ring, c.now_ring) for c in response.context["changes"]] == [("closer", 3, 2)]

    def test_someone_first_recorded_after_then_is_new_since_then_not_moved(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 1, march(15), alice)
        response = sign_in(alice).get(url(episode, "circle/?then=2026-03-10&now=2026-03-20"))
        (change,) = response.context["changes"]
        assert (change.kind, change.then_ring, change.now_ring) == ("new", None, 1)
        html = response.content.decode()
        assert "New since 2026-03-10 (not in the inventory then)" in html and "Moved closer" not in html
        assert "<td>not in the inventory</td>" in html

    def test_it_refuses_then_after_now_instead_of_reading_every_move_backwards(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 3, march(5), alice)
        record(episode, sister, 1, march(12), alice)
        response = sign_in(alice).get(url(episode, "circle/?then=2026-03-20&now=2026-03-06"))
        assert response.status_code == 200
        assert response.context["form"].errors["then"] == ["“Then” is after “now”: put the earlier date in “Then”."]
        # Not swapped: the page falls back to the first inventory against today, and says which dates it shows.
        assert (response.context["then"], response.context["now"]) == (march(5), march(31))
        assert [(c.kind, c.then_ring, c.now_ring) for c in response.context["changes"]] == [("closer", 3, 1)]
        html = response.content.decode()
        assert "“Then” is after “now”" in html and "What changed between 2026-03-05 and 2026-03-31" in html

    @pytest.mark.parametrize("query", ["then=2026-04-01", "now=2026-04-01", "then=2026-03-20&now=2026-04-02"])
    def test_it_refuses_dates_in_the_future(self, episode: Episode, alice: User, query: str) -> None:
        response = sign_in(alice).get(url(episode, f"circle/?{query}"))
        errors = response.context["form"].errors
        assert "The date cannot be in the future." in [*errors.get("then", []), *errors.get("now", [])]
        assert response.context["now"] == march(31)

    def test_the_print_view_leaves_out_the_date_form(self, episode: Episode, alice: User) -> None:
        html = sign_in(alice).get(url(episode, "circle/?print=1")).content.decode()
        assert "Ready to print" in html and 'name="then"' not in html
        assert 'class="filters print-hint"' in html  # the print stylesheet hides .filters

    def test_the_print_view_says_whose_circle_when_who_printed_it_and_the_part_2_notice(
        self, episode: Episode, sister: Person, alice: User
    ) -> None:
        record(episode, sister, 2, march(2), alice)
        response = sign_in(alice).get(url(episode, "circle/?then=2026-03-02&now=2026-03-31&print=1"))
        html = response.content.decode()
        details = html[html.index('<div class="panel print-details"') :]
        details = details[: details.index("</div>")]
        assert "hidden" not in details.split(">", 1)[0]  # shown on screen too in the print view
        assert "Fern Fairweather" in details and "Client identifier: <strong>N-0001</strong>" in details
        assert "Closeness circle as of 2026-03-02 (then) and 2026-03-31 (now)." in details
        # 16:00 UTC is noon in New York (the default TIME_ZONE).
        assert "Printed on 2026-03-31 12:00 EDT by Alice Ashby (alice@north.test)." in details
        assert PART2_SHORT_NOTICE in details
        assert html.count(PART2_SHORT_NOTICE) == 2  # at the top and again at the end
        assert PART2_SHORT_NOTICE == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

    def test_printing_is_audited_as_a_read(self, episode: Episode, sister: Person, alice: User) -> None:
        record(episode, sister, 2, march(2), alice)
        sign_in(alice).get(url(episode, "circle/?then=2026-03-02&now=2026-03-31&print=1"))
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).get()
        assert (event.actor, event.client, event.object_type) == (alice, episode.client, "ipt.episode")
        assert event.extra == {
            "kind": "inventory",
            "view": "circle",
            "then": "2026-03-02",
            "now": "2026-03-31",
            "printed": True,
        }

    def test_the_ordinary_page_carries_the_print_details_hidden_for_a_browser_print(
        self, episode: Episode, alice: User
    ) -> None:
        html = sign_in(alice).get(url(episode, "circle/")).content.decode()
        assert '<div class="panel print-details print-only" hidden>' in html
        assert '<p class="part2-notice print-only" hidden>' in html
        assert html.count(PART2_SHORT_NOTICE) == 2 and "Client identifier" in html

    def test_it_names_a_wrong_date_and_still_draws(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).get(url(episode, "circle/?then=yesterday"))
        assert response.status_code == 200
        assert "then" in response.context["form"].errors
        assert response.content.decode().count("<svg class") == 2


class TestAccess:
    def test_a_supervisor_reads_but_cannot_write(
        self, episode: Episode, sister: Person, alice: User, bob: User
    ) -> None:
        entry = record(episode, sister, 2, march(2), alice)
        http = sign_in(bob)
        assert http.get(url(episode)).status_code == 200
        assert http.get(url(episode, "circle/")).status_code == 200
        assert http.get(url(episode, "new/")).status_code == 404
        assert http.post(url(episode, "new/"), form_data(sister, recorded_on="2026-03-09")).status_code == 404
        assert http.get(url(episode, f"{entry.pk}/")).status_code == 404
        assert http.post(url(episode, f"{entry.pk}/"), form_data(sister, ring="4")).status_code == 404
        assert list(InventoryEntry.objects.values_list("ring", flat=True)) == [2]

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_other_teams_and_organizations_get_404(
        self, episode: Episode, sister: Person, alice: User, persona: str, request: pytest.FixtureRequest
    ) -> None:
        entry = record(episode, sister, 2, march(2), alice)
        http = sign_in(request.getfixturevalue(persona))
        for page in ("", "circle/", "new/", f"{entry.pk}/"):
            assert http.get(url(episode, page)).status_code == 404, page
        assert http.post(url(episode, "new/"), form_data(sister, recorded_on="2026-03-09")).status_code == 404
        assert http.post(url(episode, f"{entry.pk}/"), form_data(sister, ring="4")).status_code == 404
        assert list(InventoryEntry.objects.values_list("ring", flat=True)) == [2]
        assert not AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).exists()

    def test_an_entry_is_found_only_under_its_own_episode(self, episode: Episode, sister: Person, alice: User) -> None:
        entry = record(episode, sister, 2, march(2), alice)
        other = do_open_episode(episode.client, format_="brief", primary_therapist=alice, acting_user=alice)
        http = sign_in(alice)
        assert http.get(url(other, f"{entry.pk}/")).status_code == 404
        assert http.get(url(episode, "999999/")).status_code == 404

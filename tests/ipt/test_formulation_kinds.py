"""Each kind of problem area has its own fields: who died and when for grief, the old and the new role for a role
transition, who the dispute is with and its stage for a role dispute, why none of the others applies for
interpersonal deficits. The page leaves out the fields of another kind; the API and the actions refuse them. And the
formulation's dates fall within the episode."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_formulation import do_add_problem_area, do_save_formulation
from iptcare.ipt.models import Episode, Formulation, ProblemArea
from tests.conftest import bearer, make_client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def grandmother(fern: Client) -> Person:
    return Person.objects.create(client=fern, name="Grandmother", relationship_type="other_family")


def url(episode: Episode, page: str = "formulation/") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{page}"


def api(episode: Episode, path: str = "formulation/areas") -> str:
    return f"/api/v1/ipt/clients/{episode.client_id}/episodes/{episode.pk}/{path}"


def call(method: str, path: str, user: User, body: dict | None = None) -> Any:
    http = HttpClient()
    if body is None:
        return getattr(http, method.lower())(path, **bearer(user))
    return getattr(http, method.lower())(path, json.dumps(body), content_type="application/json", **bearer(user))


def form_errors(response: Any, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


def area_events() -> list[AuditEvent]:
    events = AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED).order_by("id")
    return [e for e in events if e.extra.get("kind") == "problem_area"]


def label_html(html: str, label: str) -> str:
    """The <label> (or <legend>) element that starts with `label`."""
    match = re.search(r"<(label|legend)[^>]*>" + re.escape(label) + r".*?</\1>", html, re.S)
    assert match, label
    return match.group(0)


GRIEF = {"kind": "grief", "rationale": "Low and drinking more since her grandmother died in the autumn."}
TRANSITION = {"kind": "role_transition", "rationale": "Low since the job went."}


class TestGrief:
    def test_it_names_who_died_and_when_and_shows_it(self, episode: Episode, alice: User, grandmother: Person) -> None:
        http = sign_in(alice)
        data = GRIEF | {"deceased": grandmother.pk, "death_date": "2025-10-03"}
        assert http.post(url(episode, "formulation/areas/new/"), data).status_code == 302
        area = ProblemArea.objects.get()
        assert (area.kind, area.deceased, area.death_date) == ("grief", grandmother, dt.date(2025, 10, 3))
        [event] = area_events()
        assert event.extra["changes"]["deceased"] == [None, grandmother.pk]
        assert event.extra["changes"]["death_date"] == [None, "2025-10-03"]
        assert "Grief: Grandmother, died 2025-10-03" in http.get(url(episode)).content.decode()
        # The contract's focus is first offered with the loss named.
        assert http.get(url(episode, "contract/")).context["form"]["focus"].value() == "Grief: the death of Grandmother"

    def test_it_takes_a_death_whose_date_is_not_known(self, episode: Episode, alice: User, grandmother: Person) -> None:
        do_add_problem_area(episode, GRIEF | {"deceased": grandmother}, acting_user=alice)
        html = sign_in(alice).get(url(episode)).content.decode()
        assert "Grief: Grandmother</h3>" in " ".join(html.split()).replace(" </h3>", "</h3>")

    def test_it_asks_who_died_and_links_to_adding_them_on_the_clients_record(
        self, episode: Episode, alice: User
    ) -> None:
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), GRIEF)
        error = form_errors(response, "deceased")
        assert "Name who died." in error
        assert f'<a href="/clients/{episode.client_id}/people/new/">add them on the client' in error
        # The box at the top of the form names the problem without a link inside its own link.
        box = response.content.decode().split('class="alert-title"')[1].split("</div>")[0]
        assert "Name who died. If they are not among the client's people yet, add them on the client's record" in box
        assert '<a href="/clients/' not in box
        assert not ProblemArea.objects.exists()
        with pytest.raises(ValidationError) as refused:
            do_add_problem_area(episode, GRIEF, acting_user=alice)
        assert "add them on the client's record first" in refused.value.message_dict["deceased"][0]

    def test_it_says_to_add_the_person_first_when_the_client_has_no_one_recorded(
        self, north: Organization, north_site: Site, alice: User
    ) -> None:
        lonely = make_client(north, north_site, primary=alice)
        episode = do_open_episode(lonely, format_="individual", primary_therapist=alice, acting_user=alice)
        form = sign_in(alice).get(url(episode, "formulation/areas/new/")).context["form"]
        help_text = str(form.fields["deceased"].help_text)
        assert "No one is recorded in the client" in help_text
        assert f'href="/clients/{lonely.pk}/people/new/"' in help_text

    def test_it_refuses_a_death_in_the_future_and_someone_not_of_this_client(
        self, north: Organization, north_site: Site, episode: Episode, alice: User, grandmother: Person
    ) -> None:
        stranger = Person.objects.create(
            client=make_client(north, north_site), name="Neighbour", relationship_type="friend"
        )
        http = sign_in(alice)
        future = http.post(
            url(episode, "formulation/areas/new/"), GRIEF | {"deceased": grandmother.pk, "death_date": "2026-04-01"}
        )
        assert "cannot be in the future" in form_errors(future, "death_date")
        other = http.post(url(episode, "formulation/areas/new/"), GRIEF | {"deceased": stranger.pk})
        assert form_errors(other, "deceased")
        with pytest.raises(ValidationError) as refused:
            do_add_problem_area(episode, GRIEF | {"deceased": stranger}, acting_user=alice)
        assert refused.value.message_dict["deceased"] == ["Choose one of the client's people."]
        assert not ProblemArea.objects.exists()


class TestRoleTransition:
    def test_it_needs_the_old_and_the_new_role_and_shows_them(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        missing = http.post(url(episode, "formulation/areas/new/"), TRANSITION)
        assert "the role the client is leaving" in form_errors(missing, "old_role")
        assert "the role the client is taking up" in form_errors(missing, "new_role")
        assert not ProblemArea.objects.exists()
        roles = {"old_role": "Forklift driver at the depot", "new_role": "Job seeker, in recovery"}
        assert http.post(url(episode, "formulation/areas/new/"), TRANSITION | roles).status_code == 302
        area = ProblemArea.objects.get()
        assert (area.old_role, area.new_role) == (roles["old_role"], roles["new_role"])
        html = http.get(url(episode)).content.decode()
        assert "Forklift driver at the depot" in html and "Job seeker, in recovery" in html
        with pytest.raises(ValidationError) as refused:
            do_add_problem_area(episode, TRANSITION | {"old_role": "Driver"}, acting_user=alice)
        assert "new_role" in refused.value.message_dict


class TestFieldsOfOneKind:
    def test_it_labels_the_fields_of_one_kind_without_an_optional_marker(self, episode: Episode, alice: User) -> None:
        html = sign_in(alice).get(url(episode, "formulation/areas/new/")).content.decode()
        for label in (
            "Who died (grief only)",
            "Date of the death (grief only)",
            "Dispute with (role disputes only)",
            "Stage of the dispute (role disputes only)",
            "The old role (role transitions only)",
            "The new role (role transitions only)",
            "Why none of the other areas applies (interpersonal deficits only)",
        ):
            assert "(optional)" not in label_html(html, label), label
        # The links apply to every kind, and may be left empty.
        assert "(optional)" in label_html(html, "Timeline events it concerns")

    def test_it_leaves_out_on_the_page_the_fields_of_the_old_kind_when_the_kind_changes(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        area = do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Rows."},
            acting_user=alice,
        )
        data = TRANSITION | {
            "old_role": "Living with her sister",
            "new_role": "Living alone",
            "dispute_stage": "impasse",
            "dispute_with": sister.pk,
            "why_not_other_areas": "Left over",
        }
        response = sign_in(alice).post(url(episode, f"formulation/areas/{area.pk}/"), data, follow=True)
        assert "Left out, as they do not apply to Role transition" in response.content.decode()
        area.refresh_from_db()
        assert (area.kind, area.dispute_stage, area.dispute_with, area.why_not_other_areas) == (
            "role_transition",
            "",
            None,
            "",
        )
        changes = area_events()[-1].extra["changes"]
        assert changes["dispute_stage"] == ["impasse", ""]
        assert changes["dispute_with"] == [sister.pk, None]

    def test_the_api_refuses_the_fields_of_another_kind_and_names_each(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        refused = call(
            "POST",
            api(episode),
            alice,
            GRIEF
            | {"deceased_id": sister.pk, "dispute_stage": "impasse", "old_role": "Carer", "why_not_other_areas": "x"},
        )
        assert refused.status_code == 422
        errors = refused.json()["errors"]
        assert errors["dispute_stage"] == ["Only a role dispute has a stage."]
        assert errors["old_role"] == ["Only a role transition has an old role."]
        assert errors["why_not_other_areas"] == [
            "Only interpersonal deficits says why none of the other areas applies."
        ]
        missing = call("POST", api(episode), alice, TRANSITION)
        assert set(missing.json()["errors"]) == {"old_role", "new_role"}
        no_one = call("POST", api(episode), alice, GRIEF)
        assert "add them on the client's record first" in no_one.json()["errors"]["deceased_id"][0]
        assert "<a" not in no_one.json()["errors"]["deceased_id"][0]
        assert not ProblemArea.objects.exists()

    def test_the_api_writes_and_reads_the_fields_of_each_kind(
        self, episode: Episode, alice: User, sister: Person, grandmother: Person
    ) -> None:
        created = call("POST", api(episode), alice, GRIEF | {"deceased_id": grandmother.pk, "death_date": "2025-10-03"})
        assert created.status_code == 201
        body = created.json()
        assert (body["deceased_id"], body["death_date"], body["old_role"], body["stage_changes"]) == (
            grandmother.pk,
            "2025-10-03",
            "",
            [],
        )
        area_id = body["id"]
        # A new kind clears the old kind's fields that are not sent again...
        changed = call(
            "PATCH",
            api(episode, f"formulation/areas/{area_id}"),
            alice,
            {"kind": "role_dispute", "dispute_with_id": sister.pk, "dispute_stage": "renegotiation"},
        )
        assert changed.status_code == 200
        assert (changed.json()["deceased_id"], changed.json()["death_date"]) == (None, None)
        assert [c["stage"] for c in changed.json()["stage_changes"]] == ["renegotiation"]
        # ... but a field sent for another kind is refused.
        wrong = call("PATCH", api(episode, f"formulation/areas/{area_id}"), alice, {"old_role": "Carer"})
        assert wrong.json()["errors"]["old_role"] == ["Only a role transition has an old role."]
        cleared = call("PATCH", api(episode, f"formulation/areas/{area_id}"), alice, {"dispute_with_id": ""})
        assert cleared.json()["errors"]["dispute_with_id"] == ["Name the person the dispute is with."]
        area = ProblemArea.objects.get()
        assert (area.kind, area.deceased, area.dispute_with) == ("role_dispute", None, sister)


class TestFormulationDates:
    def test_it_refuses_a_sick_role_or_an_acceptance_before_the_episode_began(
        self, episode: Episode, alice: User
    ) -> None:
        Episode.objects.filter(pk=episode.pk).update(start_date=dt.date(2026, 3, 17))
        do_add_problem_area(episode, TRANSITION | {"old_role": "a", "new_role": "b"}, acting_user=alice)
        data = {"text": "Low since the job went.", "sick_role_given_on": "2026-03-16", "accepted_on": "2026-03-10"}
        response = sign_in(alice).post(url(episode), data)
        assert "not before it began on 2026-03-17" in form_errors(response, "sick_role_given_on")
        assert "not before it began on 2026-03-17" in form_errors(response, "accepted_on")
        future = sign_in(alice).post(url(episode), data | {"sick_role_given_on": "2026-04-01", "accepted_on": ""})
        assert "cannot be in the future" in form_errors(future, "sick_role_given_on")
        assert not any(f.text.startswith("Low") for f in Formulation.objects.all())
        episode.refresh_from_db()
        with pytest.raises(ValidationError) as refused:
            do_save_formulation(episode, {"text": "x", "sick_role_given_on": dt.date(2026, 3, 1)}, acting_user=alice)
        assert "sick_role_given_on" in refused.value.message_dict
        on_the_day = do_save_formulation(
            episode, {"text": "x", "sick_role_given_on": dt.date(2026, 3, 17)}, acting_user=alice
        )
        assert on_the_day.sick_role_given_on == dt.date(2026, 3, 17)

    def test_the_api_refuses_them_too(self, episode: Episode, alice: User) -> None:
        refused = call("PUT", api(episode, "formulation"), alice, {"text": "x", "sick_role_given_on": "2026-03-30"})
        assert refused.status_code == 422
        assert "not before it began on 2026-03-31" in refused.json()["errors"]["sick_role_given_on"][0]

    def test_it_keeps_a_stored_date_when_the_episode_start_moves_later(self, episode: Episode, alice: User) -> None:
        do_save_formulation(episode, {"text": "x", "sick_role_given_on": dt.date(2026, 3, 31)}, acting_user=alice)
        Episode.objects.filter(pk=episode.pk).update(start_date=dt.date(2026, 4, 7))
        episode.refresh_from_db()
        saved = do_save_formulation(episode, {"text": "Rewritten."}, acting_user=alice)
        assert (saved.text, saved.sick_role_given_on) == ("Rewritten.", dt.date(2026, 3, 31))

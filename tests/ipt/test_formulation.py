"""The formulation pages: the formulation in plain words with the sick role and the client's answer, one or at most
two problem areas with their rules, and goals. Reads need a record the person may open, writes need care-team
membership; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_formulation import do_add_goal, do_add_problem_area, do_update_problem_area
from iptcare.ipt.models import Episode, Formulation, Goal, InventoryEntry, ProblemArea, TimelineEvent, Trigger
from tests.conftest import make_client, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC), tick=False):
        yield


def url(episode: Episode, page: str = "formulation/") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/{page}"


# A role transition names the role left and the role taken up.
ROLES = {"old_role": "Working at the depot", "new_role": "Out of work, looking"}


def area_data(**fields: Any) -> dict[str, Any]:
    data = {"kind": "role_transition", "rationale": "Low mood and drinking rose after she lost her job in January."}
    data |= fields
    return ROLES | data if data["kind"] == "role_transition" else data


def dispute(episode: Episode, user: User, person: Person | None = None, stage: str = "impasse") -> ProblemArea:
    return do_add_problem_area(
        episode,
        area_data(kind="role_dispute", dispute_stage=stage, dispute_with=person, rationale="Fights with her sister."),
        acting_user=user,
    )


def changed_events(kind: str) -> list[AuditEvent]:
    return [e for e in AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED) if e.extra.get("kind") == kind]


def form_errors(response: Any, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


class TestTheFormulation:
    def test_it_saves_the_formulation_in_plain_words_with_sick_role_and_acceptance(
        self, episode: Episode, alice: User
    ) -> None:
        from iptcare.ipt.actions_formulation import do_add_problem_area, do_save_formulation

        Episode.objects.filter(pk=episode.pk).update(start_date=dt.date(2026, 3, 17))
        # IPT's order: the words and the problem area first, then the client's acceptance.
        do_save_formulation(episode, {"text": "Draft"}, acting_user=alice)
        do_add_problem_area(episode, area_data(rationale="Lost his job."), acting_user=alice)
        response = sign_in(alice).post(
            url(episode),
            {
                "text": "Since the job went, you drink more and feel low.",
                "sick_role_given_on": "2026-03-24",
                "accepted_on": "2026-03-31",
                "declined_reason": "",
            },
        )
        assert response.status_code == 302
        formulation = Formulation.objects.get(episode=episode)
        assert formulation.text.startswith("Since the job went")
        assert (formulation.sick_role_given_on, formulation.accepted_on) == (dt.date(2026, 3, 24), dt.date(2026, 3, 31))
        assert formulation.updated_by == alice
        event = changed_events("formulation")[0]  # newest first
        assert event.actor == alice and event.client == episode.client
        assert event.extra["changes"]["accepted_on"] == [None, "2026-03-31"]
        html = sign_in(alice).get(url(episode)).content.decode()
        assert "Accepted on 2026-03-31" in html and "2026-03-24" in html

    def test_it_refuses_a_formulation_both_accepted_and_declined_next_to_the_field(
        self, episode: Episode, alice: User
    ) -> None:
        data = {"text": "x", "accepted_on": "2026-03-31", "declined_reason": "Does not see the link to her job."}
        response = sign_in(alice).post(url(episode), data)
        assert response.status_code == 200
        assert "either accepted or declined, not both" in form_errors(response, "declined_reason")
        assert not Formulation.objects.exists()

    def test_it_records_a_declined_formulation_with_its_reason(self, episode: Episode, alice: User) -> None:
        sign_in(alice).post(url(episode), {"text": "x", "declined_reason": "Sees no link to her job."})
        formulation = Formulation.objects.get()
        assert (formulation.is_accepted, formulation.declined_reason) == (False, "Sees no link to her job.")
        assert "Declined" in sign_in(alice).get(url(episode)).content.decode()

    def test_it_refuses_acceptance_dated_in_the_future(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode), {"text": "x", "accepted_on": "2026-04-02"})
        assert "future" in form_errors(response, "accepted_on")

    def test_it_records_reads(self, episode: Episode, bob: User) -> None:
        assert sign_in(bob).get(url(episode)).status_code == 200
        event = AuditEvent.objects.filter(event_type=EventType.EPISODE_VIEWED).latest("id")
        assert (event.actor, event.extra["kind"]) == (bob, "formulation")


class TestProblemAreas:
    def test_it_adds_a_role_dispute_with_its_stage_person_and_links(
        self, fern: Client, episode: Episode, alice: User, sister: Person
    ) -> None:
        entry = InventoryEntry.objects.create(episode=episode, person=sister, ring=2, recorded_by=alice)
        event = TimelineEvent.objects.create(
            client=fern, date=dt.date(2026, 1, 5), event_type="dispute", title="Row at Christmas", recorded_by=alice
        )
        trigger = Trigger.objects.create(
            client=fern, trigger_type="interpersonal", description="Calls from her sister", risk_level="high",
            recorded_by=alice,
        )  # fmt: skip
        data = area_data(
            kind="role_dispute",
            dispute_stage="impasse",
            dispute_with=sister.pk,
            rationale="She drinks after each row with her sister.",
            inventory_entries=[entry.pk],
            timeline_events=[event.pk],
            triggers=[trigger.pk],
        )
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), data)
        assert response.status_code == 302
        area = ProblemArea.objects.get()
        assert (area.kind, area.dispute_stage, area.dispute_with) == ("role_dispute", "impasse", sister)
        assert [list(area.inventory_entries.all()), list(area.timeline_events.all()), list(area.triggers.all())] == [
            [entry],
            [event],
            [trigger],
        ]
        [audit] = changed_events("problem_area")
        assert audit.extra["changes"]["dispute_stage"] == [None, "impasse"]
        assert audit.extra["changes"]["timeline_events"] == [None, [event.pk]]
        html = sign_in(alice).get(url(episode)).content.decode()
        assert "Role dispute" in html and "with Big sister" in html and "Stage: Impasse" in html
        assert "Row at Christmas" in html

    def test_it_needs_a_stage_and_a_person_for_a_role_dispute(self, episode: Episode, alice: User) -> None:
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), area_data(kind="role_dispute"))
        assert "Give the stage of the dispute" in form_errors(response, "dispute_stage")
        assert "Name the person the dispute is with." in form_errors(response, "dispute_with")
        assert not ProblemArea.objects.exists()

    def test_it_leaves_out_the_dispute_fields_of_another_kind_on_the_page_and_refuses_them_in_actions(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        staged_grief = area_data(kind="grief", deceased=sister.pk, dispute_stage="impasse", dispute_with=sister.pk)
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), staged_grief, follow=True)
        area = ProblemArea.objects.get()
        assert (area.kind, area.deceased, area.dispute_stage, area.dispute_with) == ("grief", sister, "", None)
        assert not area.stage_changes.exists()
        html = response.content.decode()
        assert "Left out, as they do not apply to Grief: Dispute with (role disputes only); Stage of the" in html
        with pytest.raises(ValidationError) as refused:
            do_add_problem_area(
                episode, area_data(kind="role_transition", dispute_stage="renegotiation"), acting_user=alice
            )
        assert refused.value.message_dict["dispute_stage"] == ["Only a role dispute has a stage."]

    def test_it_refuses_interpersonal_deficits_without_saying_why_next_to_the_field(
        self, episode: Episode, alice: User
    ) -> None:
        http = sign_in(alice)
        response = http.post(url(episode, "formulation/areas/new/"), area_data(kind="interpersonal_deficits"))
        assert "none of the other three" in form_errors(response, "why_not_other_areas")
        assert not response.context["form"].non_field_errors()
        reasoned = area_data(kind="interpersonal_deficits", why_not_other_areas="No loss, dispute or change found.")
        assert http.post(url(episode, "formulation/areas/new/"), reasoned).status_code == 302
        assert ProblemArea.objects.get().kind == "interpersonal_deficits"

    def test_it_refuses_interpersonal_deficits_beside_another_area(self, episode: Episode, alice: User) -> None:
        do_add_problem_area(episode, area_data(), acting_user=alice)
        deficits = area_data(kind="interpersonal_deficits", why_not_other_areas="Isolated.")
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), deficits)
        assert "not combined with another problem area" in form_errors(response, "kind")
        assert ProblemArea.objects.count() == 1

    def test_it_refuses_a_third_problem_area(self, episode: Episode, alice: User, sister: Person) -> None:
        do_add_problem_area(episode, area_data(), acting_user=alice)
        dispute(episode, alice, sister)
        with pytest.raises(ValidationError, match="at most two"):
            do_add_problem_area(episode, area_data(kind="grief", deceased=sister), acting_user=alice)
        http = sign_in(alice)
        offered = http.get(url(episode, "formulation/areas/new/"), follow=True)
        assert "at most two" in offered.content.decode()
        posted = http.post(url(episode, "formulation/areas/new/"), area_data(kind="grief", deceased=sister.pk))
        assert "at most two" in " ".join(posted.context["form"].non_field_errors())
        assert ProblemArea.objects.count() == 2
        assert "Add a problem area" not in http.get(url(episode)).content.decode()

    def test_it_refuses_the_same_area_twice(self, episode: Episode, alice: User) -> None:
        do_add_problem_area(episode, area_data(), acting_user=alice)
        response = sign_in(alice).post(url(episode, "formulation/areas/new/"), area_data())
        assert "already chosen" in form_errors(response, "kind")

    def test_it_offers_links_only_from_this_episode_and_client(
        self, north: Organization, north_site: Site, fern: Client, episode: Episode, alice: User, sister: Person
    ) -> None:
        other = make_client(north, north_site, primary=alice)
        stranger = Person.objects.create(client=other, name="Neighbour", relationship_type="friend")
        other_episode = do_open_episode(other, format_="individual", primary_therapist=alice, acting_user=alice)
        foreign_entry = InventoryEntry.objects.create(episode=other_episode, person=stranger, ring=3, recorded_by=alice)
        foreign_event = TimelineEvent.objects.create(
            client=other, date=dt.date(2025, 6, 1), event_type="move", title="Moved flat", recorded_by=alice
        )
        own_entry = InventoryEntry.objects.create(episode=episode, person=sister, ring=1, recorded_by=alice)
        http = sign_in(alice)
        form = http.get(url(episode, "formulation/areas/new/")).context["form"]
        assert list(form.fields["inventory_entries"].queryset) == [own_entry]
        assert list(form.fields["timeline_events"].queryset) == []
        assert list(form.fields["dispute_with"].queryset) == [sister]
        response = http.post(
            url(episode, "formulation/areas/new/"),
            area_data(
                kind="role_dispute",
                dispute_stage="impasse",
                dispute_with=stranger.pk,
                inventory_entries=[foreign_entry.pk],
                timeline_events=[foreign_event.pk],
            ),
        )
        errors = response.context["form"].errors
        assert {"dispute_with", "inventory_entries", "timeline_events"} <= set(errors)
        assert not ProblemArea.objects.exists()

    def test_it_keeps_each_change_of_dispute_stage_in_the_audit_trail(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        area = dispute(episode, alice, sister, stage="impasse")
        data = area_data(kind="role_dispute", dispute_stage="renegotiation", dispute_with=sister.pk, rationale="Rows.")
        response = sign_in(alice).post(url(episode, f"formulation/areas/{area.pk}/"), data)
        assert response.status_code == 302
        do_update_problem_area(area, {"dispute_stage": "dissolution"}, acting_user=alice)
        area.refresh_from_db()
        assert area.dispute_stage == "dissolution"
        stages = [e.extra["changes"]["dispute_stage"] for e in changed_events("problem_area")]
        assert stages == [["renegotiation", "dissolution"], ["impasse", "renegotiation"], [None, "impasse"]]

    def test_it_lets_a_supervisor_read_but_not_change_anything(
        self, episode: Episode, alice: User, bob: User, sister: Person
    ) -> None:
        area = dispute(episode, alice, sister)
        goal = do_add_goal(
            area, {"description": "Talk without shouting", "evidence_kind": "behaviour"}, acting_user=alice
        )
        http = sign_in(bob)
        page = http.get(url(episode))
        assert page.status_code == 200
        assert "Talk without shouting" in page.content.decode()
        assert "Add a problem area" not in page.content.decode()
        assert http.post(url(episode), {"text": "Changed by Bob"}).status_code == 404
        assert http.get(url(episode, "formulation/areas/new/")).status_code == 404
        assert http.post(url(episode, "formulation/areas/new/"), area_data(kind="grief")).status_code == 404
        assert http.post(url(episode, f"formulation/areas/{area.pk}/"), area_data()).status_code == 404
        assert http.post(url(episode, f"formulation/areas/{area.pk}/goals/new/"), {}).status_code == 404
        assert http.post(url(episode, f"goals/{goal.pk}/"), {"status": "met"}).status_code == 404
        assert ProblemArea.objects.count() == 1
        assert Formulation.objects.get().text == ""
        assert Goal.objects.get().status == "open"

    def test_it_hides_everything_from_another_organization(
        self, episode: Episode, alice: User, carol: User, sister: Person
    ) -> None:
        area = dispute(episode, alice, sister)
        goal = do_add_goal(area, {"description": "Fewer rows", "evidence_kind": "behaviour"}, acting_user=alice)
        http = sign_in(carol)
        for page in ("formulation/", "formulation/areas/new/", f"formulation/areas/{area.pk}/", f"goals/{goal.pk}/"):
            assert http.get(url(episode, page)).status_code == 404
        assert http.post(url(episode), {"text": "x"}).status_code == 404

    def test_it_finds_no_area_of_another_episode(
        self, north: Organization, north_site: Site, episode: Episode, alice: User, sister: Person
    ) -> None:
        other = make_client(north, north_site, primary=alice)
        other_episode = do_open_episode(other, format_="individual", primary_therapist=alice, acting_user=alice)
        area = dispute(episode, alice, sister)
        assert sign_in(alice).get(url(other_episode, f"formulation/areas/{area.pk}/")).status_code == 404

    def test_it_shows_areas_and_goals_in_a_fixed_number_of_queries(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        http = sign_in(alice)
        first = do_add_problem_area(episode, area_data(), acting_user=alice)
        do_add_goal(first, {"description": "A new routine", "evidence_kind": "behaviour"}, acting_user=alice)
        with CaptureQueriesContext(connection) as one_area:
            http.get(url(episode))
        second = dispute(episode, alice, sister)
        for n in range(3):
            do_add_goal(second, {"description": f"Goal {n}", "evidence_kind": "dispute_stage"}, acting_user=alice)
        with CaptureQueriesContext(connection) as two_areas:
            http.get(url(episode))
        assert len(two_areas) == len(one_area)


class TestGoals:
    def test_it_adds_a_goal_and_changes_its_status(self, episode: Episode, alice: User, sister: Person) -> None:
        area = dispute(episode, alice, sister)
        http = sign_in(alice)
        data = {
            "description": "Say what she needs from her sister without a row.",
            "evidence_kind": "ring_change",
            "evidence_detail": "Sister moves from ring 3 to ring 2.",
            "status": "open",
        }
        assert http.post(url(episode, f"formulation/areas/{area.pk}/goals/new/"), data).status_code == 302
        goal = Goal.objects.get(problem_area=area)
        assert (goal.evidence_kind, goal.evidence_detail) == ("ring_change", "Sister moves from ring 3 to ring 2.")
        edit = http.get(url(episode, f"goals/{goal.pk}/"))
        assert edit.status_code == 200
        assert http.post(url(episode, f"goals/{goal.pk}/"), data | {"status": "progressing"}).status_code == 302
        goal.refresh_from_db()
        assert goal.status == "progressing"
        [added, changed] = sorted(changed_events("goal"), key=lambda e: e.pk)
        assert added.extra["changes"]["evidence_kind"] == [None, "ring_change"]
        assert changed.extra["changes"] == {"status": ["open", "progressing"]}
        assert "Progressing" in http.get(url(episode)).content.decode()

    def test_it_takes_a_dispute_stage_as_evidence_only_in_a_role_dispute(self, episode: Episode, alice: User) -> None:
        area = do_add_problem_area(episode, area_data(), acting_user=alice)
        response = sign_in(alice).post(
            url(episode, f"formulation/areas/{area.pk}/goals/new/"),
            {"description": "Settle into the new role", "evidence_kind": "dispute_stage", "status": "open"},
        )
        assert "only in a role dispute" in form_errors(response, "evidence_kind")
        assert not Goal.objects.exists()


class TestAcceptanceMeansSomething:
    def test_it_refuses_acceptance_of_an_empty_formulation_or_one_without_a_problem_area(
        self, episode: Episode, alice: User
    ) -> None:
        http = sign_in(alice)
        empty = http.post(url(episode), {"text": "", "accepted_on": "2026-03-31"})
        assert "write it in plain words first" in form_errors(empty, "accepted_on")
        no_area = http.post(url(episode), {"text": "Low since the job went.", "accepted_on": "2026-03-31"})
        assert "Choose the problem area first" in no_area.content.decode()
        assert not Formulation.objects.filter(accepted_on__isnull=False).exists()

    def test_it_asks_for_acceptance_again_when_the_words_change(
        self, episode: Episode, alice: User, sister: Person
    ) -> None:
        from iptcare.ipt.actions_formulation import do_add_problem_area, do_save_formulation

        do_save_formulation(episode, {"text": "First words."}, acting_user=alice)
        do_add_problem_area(
            episode, {"kind": "grief", "deceased": sister, "rationale": "Sister died in May."}, acting_user=alice
        )
        do_save_formulation(episode, {"text": "First words.", "accepted_on": dt.date(2026, 3, 31)}, acting_user=alice)
        rewritten = do_save_formulation(
            episode, {"text": "New words.", "accepted_on": dt.date(2026, 3, 31)}, acting_user=alice
        )
        assert rewritten.accepted_on is None

"""The plan pages: starting, building sections from suggestions, editing and adding items, finalising with
confirmation, versions, the one-page print; who may read and change them; the audit trail; query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Episode
from iptcare.lib.notices import PART2_SHORT_NOTICE
from iptcare.plans.actions import do_finalise_plan, do_save_plan_section, do_start_plan_version
from iptcare.plans.content import RELAPSE_SECTIONS, SAFETY_SECTIONS
from iptcare.plans.models import RelapsePreventionPlan
from tests.conftest import sign_in
from tests.plans.conftest import add_person, add_trigger

pytestmark = pytest.mark.django_db

TRIGGER = {"category": "feelings", "description": "Lonely Sunday evenings", "coping": "Call my sister."}


def url(episode: Episode, suffix: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/plan/{suffix}"


def items_data(rows: list[dict[str, Any]], *, initial: int = 0, prefix: str = "items") -> dict[str, Any]:
    """A formset's POST: the management form and each row's fields."""
    data: dict[str, Any] = {
        "action": "save",
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "20",
    }
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in row.items()}
    return data


def draft(episode: Episode) -> RelapsePreventionPlan:
    return RelapsePreventionPlan.objects.get(episode=episode, status="draft")


def finished(episode: Episode, user: User) -> RelapsePreventionPlan:
    plan = do_start_plan_version("relapse_prevention", episode, acting_user=user)
    do_save_plan_section(plan, "triggers", [TRIGGER], acting_user=user)
    return do_finalise_plan(plan, acting_user=user)


class TestBuildingAPlan:
    def test_it_shows_an_empty_state_and_starts_the_first_version(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        page = http.get(url(episode))
        assert "No relapse-prevention plan yet." in page.content.decode()
        response = http.post(url(episode, "start/"))
        assert response.status_code == 302
        plan = draft(episode)
        assert plan.version == 1
        assert "988" in http.get(url(episode)).content.decode()

    def test_it_picks_suggestions_then_edits_their_wording_and_adds_one(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        drinks = record["triggers"][0]
        page = http.get(url(episode, "sections/triggers/")).content.decode()
        assert "Friday drinks (with Dave) at the Anchor pub" in page
        picked = http.post(
            url(episode, "sections/triggers/"), {"action": "pick", "pick": [f"trigger:{drinks.pk}", "common:payday"]}
        )
        assert picked.status_code == 302
        content = draft(episode).parsed()
        assert [t.source for t in content.triggers] == [f"trigger:{drinks.pk}", "common:payday"]

        rows = [
            {
                "category": "using_associates",
                "description": "Friday drinks with Dave",
                "coping": "Go to the meeting.",
                "source": f"trigger:{drinks.pk}",
            },
            {
                "category": "paydays",
                "description": "Payday",
                "coping": "Pay the rent first.",
                "source": "common:payday",
            },
            {"category": "thoughts", "description": "“Just one won't hurt”", "coping": "Play the tape forward."},
        ]
        saved = http.post(url(episode, "sections/triggers/"), items_data(rows, initial=2))
        assert saved.status_code == 302
        triggers = draft(episode).parsed().triggers
        assert [t.description for t in triggers] == ["Friday drinks with Dave", "Payday", "“Just one won't hurt”"]
        assert triggers[0].source == f"trigger:{drinks.pk}"
        assert triggers[2].source == ""

    def test_it_removes_an_item_and_shows_errors_next_to_the_row(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        plan = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
        do_save_plan_section(plan, "triggers", [TRIGGER, TRIGGER | {"description": "Payday"}], acting_user=alice)
        rows = [TRIGGER | {"DELETE": "on"}, TRIGGER | {"description": "Payday"}]
        http.post(url(episode, "sections/triggers/"), items_data(rows, initial=2))
        assert [t.description for t in draft(episode).parsed().triggers] == ["Payday"]
        refused = http.post(url(episode, "sections/triggers/"), items_data([{"category": "", "description": "x"}]))
        assert refused.status_code == 200
        assert "This field is required." in refused.content.decode()

    def test_it_saves_lines_the_lapse_plan_and_dates(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        http.post(url(episode, "sections/reasons/"), {"action": "save", "lines": "My children\n\n  My health  \n"})
        http.post(
            url(episode, "sections/after_lapse/"),
            {"action": "save", "who_to_call": "My sister, 555 010 1234", "how_to_come_back": "Tell Alice."},
        )
        http.post(
            url(episode, "sections/booster_sessions/"),
            {"frequency": "Monthly for six months"}
            | items_data([{"date": "2030-02-01"}, {"date": "2030-01-04"}, {"date": ""}], prefix="dates"),
        )
        content = draft(episode).parsed()
        assert content.reasons == ["My children", "My health"]
        assert content.after_lapse.who_to_call == "My sister, 555 010 1234"
        assert content.booster_sessions.frequency == "Monthly for six months"
        assert [d.isoformat() for d in content.booster_sessions.dates] == ["2030-01-04", "2030-02-01"]

    def test_the_draft_page_counts_the_suggestions_waiting(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        page = http.get(url(episode)).content.decode()
        assert "4 suggestions from the client's record for “Triggers and how to cope with each”" in page

    def test_reasons_for_recovery_are_asked_for_not_suggested(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        page = http.get(url(episode, "sections/reasons/")).content.decode()
        assert "Suggestions from the client's record" not in page
        assert "Nothing more to suggest" not in page
        # The goals are not offered as reasons.
        assert "Talk with Mum without shouting" not in page
        assert "in the client&#x27;s own words" in page
        assert 'placeholder="For example:\nMy children\nKeeping my job\nFeeling like myself again"' in page
        overview = http.get(url(episode)).content.decode()
        assert "suggestions from the client's record for “Reasons for recovery”" not in overview

    def test_a_trigger_shows_its_side_and_kind(self, episode: Episode, alice: User) -> None:
        plan = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
        halt = {"category": "halt", "description": "Tired after late shifts", "coping": "Eat, then rest."}
        do_save_plan_section(plan, "triggers", [halt], acting_user=alice)
        http = sign_in(alice)
        for page in (http.get(url(episode)), http.get(url(episode, "print/"))):
            html = page.content.decode()
            assert '<span class="badge">Internal — HALT (hungry, angry, lonely, tired)</span>' in html
            assert "internal: halt" not in html


class TestNoInternalReferences:
    """Our own documents (IPT-DOMAIN, PRODUCT) are named in the code, never on a page."""

    @staticmethod
    def assert_clean(html: str) -> None:
        for internal in ("IPT-DOMAIN", "PRODUCT.md", "§"):
            assert internal not in html

    def test_no_plan_page_names_an_internal_document(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        finished(episode, alice)
        http.post(url(episode, "start/"))
        http.post(f"/clients/{episode.client_id}/episodes/{episode.pk}/safety-plan/start/")
        pages = ["", "print/", "versions/", "versions/1/", "finalise/"]
        pages += [f"sections/{section.key}/" for section in RELAPSE_SECTIONS]
        for suffix in pages:
            response = http.get(url(episode, suffix))
            assert response.status_code == 200, suffix
            self.assert_clean(response.content.decode())
        safety = f"/clients/{episode.client_id}/episodes/{episode.pk}/safety-plan/"
        for suffix in ["", "print/", *(f"sections/{section.key}/" for section in SAFETY_SECTIONS)]:
            response = http.get(safety + suffix)
            assert response.status_code == 200, suffix
            self.assert_clean(response.content.decode())


class TestFinalising:
    def test_it_asks_for_confirmation_before_finalising(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        plan = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
        do_save_plan_section(plan, "triggers", [TRIGGER], acting_user=alice)
        page = http.get(url(episode, "finalise/")).content.decode()
        assert "can no longer be changed" in page
        unconfirmed = http.post(url(episode, "finalise/"), {})
        assert "Tick the box to confirm" in unconfirmed.content.decode()
        assert draft(episode).status == "draft"
        assert http.post(url(episode, "finalise/"), {"confirm": "on"}).status_code == 302
        plan.refresh_from_db()
        assert plan.status == "final"
        assert plan.finalised_by == alice

    def test_it_lists_what_stops_a_draft_from_being_final(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        page = http.get(url(episode, "finalise/")).content.decode()
        assert "This version cannot be finalised yet" in page
        assert "is empty" in page
        http.post(url(episode, "finalise/"), {"confirm": "on"})
        assert draft(episode).status == "draft"

    def test_a_final_version_is_shown_with_who_finalised_it_and_cannot_be_edited(
        self, episode: Episode, alice: User
    ) -> None:
        http = sign_in(alice)
        plan = finished(episode, alice)
        page = http.get(url(episode)).content.decode()
        assert "Version 1 of 1, finalised" in page
        assert "by Alice Ashby" in page
        assert "Start version 2 (a copy of version 1)" in page
        refused = http.post(url(episode, "sections/reasons/"), {"action": "save", "lines": "Changed"})
        assert refused.status_code == 302
        plan.refresh_from_db()
        assert plan.parsed().reasons == []

    def test_the_versions_page_shows_what_changed(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        finished(episode, alice)
        http.post(url(episode, "start/"))
        http.post(url(episode, "sections/reasons/"), {"action": "save", "lines": "My children"})
        page = http.get(url(episode, "versions/")).content.decode()
        assert "Version 2 of 2, draft" in page
        assert "Version 1 of 2, finalised" in page
        assert "Changes from version 1" in page
        assert "My children" in page
        assert http.get(url(episode, "versions/1/")).status_code == 200
        assert http.get(url(episode, "versions/9/")).status_code == 404


class TestPrint:
    def test_it_prints_the_final_version_with_the_identifier_and_the_part2_notice(
        self, episode: Episode, alice: User
    ) -> None:
        finished(episode, alice)
        page = sign_in(alice).get(url(episode, "print/")).content.decode()
        assert PART2_SHORT_NOTICE in page
        assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in page
        assert "Client N-0001" in page
        assert "Version 1, agreed" in page
        assert "plans/print.css" in page
        assert "<style" not in page
        assert "Lonely Sunday evenings" in page
        assert "A lapse is not a failure." in page

    def test_a_printed_draft_says_it_is_not_agreed(self, episode: Episode, alice: User) -> None:
        do_start_plan_version("relapse_prevention", episode, acting_user=alice)
        page = sign_in(alice).get(url(episode, "print/")).content.decode()
        assert "DRAFT, not yet agreed" in page

    def test_there_is_nothing_to_print_without_a_version(self, episode: Episode, alice: User) -> None:
        assert sign_in(alice).get(url(episode, "print/")).status_code == 404


class TestAccess:
    @pytest.mark.parametrize("suffix", ["", "print/", "versions/", "versions/1/"])
    def test_readers_on_the_team_or_supervising_it_read(
        self, episode: Episode, alice: User, bob: User, pia: User, suffix: str
    ) -> None:
        finished(episode, alice)
        assert sign_in(bob).get(url(episode, suffix)).status_code == 200
        assert sign_in(pia).get(url(episode, suffix)).status_code == 200

    @pytest.mark.parametrize("suffix", ["", "print/", "versions/", "sections/reasons/", "finalise/"])
    def test_anyone_else_gets_not_found(
        self, episode: Episode, alice: User, tom: User, carol: User, suffix: str
    ) -> None:
        finished(episode, alice)
        assert sign_in(tom).get(url(episode, suffix)).status_code == 404
        assert sign_in(carol).get(url(episode, suffix)).status_code == 404

    def test_a_supervisor_reads_but_does_not_change(self, episode: Episode, alice: User, bob: User) -> None:
        http = sign_in(bob)
        assert "Start the plan" not in http.get(url(episode)).content.decode()
        assert http.post(url(episode, "start/")).status_code == 404
        assert not RelapsePreventionPlan.objects.exists()

    def test_the_physician_on_the_team_may_write(self, episode: Episode, pia: User) -> None:
        assert sign_in(pia).post(url(episode, "start/")).status_code == 302
        assert RelapsePreventionPlan.objects.get().created_by == pia


class TestAudit:
    def test_every_read_is_audited(self, episode: Episode, alice: User, bob: User) -> None:
        plan = finished(episode, alice)
        http = sign_in(bob)
        for suffix in ("", "print/", "versions/", "versions/1/"):
            http.get(url(episode, suffix))
        views = AuditEvent.objects.filter(event_type=EventType.PLAN_VIEWED, actor=bob).order_by("id")
        assert [e.extra["view"] for e in views] == ["page", "print", "versions", "version"]
        assert views[1].object_id == str(plan.pk)
        assert all(e.client_id == episode.client_id for e in views)

    def test_every_change_through_the_pages_is_audited(self, episode: Episode, alice: User) -> None:
        http = sign_in(alice)
        http.post(url(episode, "start/"))
        http.post(url(episode, "sections/reasons/"), {"action": "save", "lines": "My children"})
        changes = AuditEvent.objects.filter(event_type=EventType.PLAN_CHANGED).order_by("id")
        assert changes.count() == 2
        assert changes.last().extra["changes"] == {"reasons": [[], ["My children"]]}
        assert changes.last().extra["section"] == "reasons"


class TestQueryCounts:
    def _fill(self, episode: Episode, alice: User, count: int) -> None:
        start = episode.client.people.count()
        for number in range(start, start + count):
            person = add_person(episode.client, f"Friend {number}", "friend")
            add_trigger(episode, alice, f"Trigger {number}", people=[person], places=f"Place {number}")

    def _plan_with(self, episode: Episode, alice: User, count: int) -> RelapsePreventionPlan:
        plan = RelapsePreventionPlan.objects.filter(episode=episode, status="draft").first()
        plan = plan or do_start_plan_version("relapse_prevention", episode, acting_user=alice)
        triggers = [TRIGGER | {"description": f"Trigger {n}"} for n in range(count)]
        return do_save_plan_section(plan, "triggers", triggers, acting_user=alice)

    def test_the_plan_page_runs_the_same_queries_with_few_or_many_triggers(
        self, episode: Episode, alice: User, django_assert_num_queries: Any
    ) -> None:
        http = sign_in(alice)
        self._fill(episode, alice, 2)
        self._plan_with(episode, alice, 2)
        http.get(url(episode))  # warm the session and the caches
        with CaptureQueriesContext(connection) as few:
            http.get(url(episode))
        self._fill(episode, alice, 15)
        self._plan_with(episode, alice, 15)
        with django_assert_num_queries(len(few.captured_queries)):
            page = http.get(url(episode))
        assert "Trigger 14" in page.content.decode()

    def test_the_print_view_runs_the_same_queries_with_few_or_many_triggers(
        self, episode: Episode, alice: User, django_assert_num_queries: Any
    ) -> None:
        http = sign_in(alice)
        self._plan_with(episode, alice, 2)
        http.get(url(episode, "print/"))
        with CaptureQueriesContext(connection) as few:
            http.get(url(episode, "print/"))
        self._fill(episode, alice, 15)
        self._plan_with(episode, alice, 15)
        with django_assert_num_queries(len(few.captured_queries)):
            page = http.get(url(episode, "print/"))
        assert "Trigger 14" in page.content.decode()

"""Closure: the review of each goal, the measures at baseline and now (mood and use apart), the non-responder prompt,
a final relapse-prevention plan first (or the reason), and each decision's effect on the episode."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Episode, Goal
from iptcare.plans.actions import do_finalise_plan, do_save_plan_section, do_start_plan_version
from iptcare.plans.actions_closure import do_record_closure
from iptcare.plans.models import EpisodeClosure
from iptcare.plans.outcomes import outcomes_for
from iptcare.substance_use.models import UseDay
from tests.conftest import sign_in
from tests.plans.conftest import phq9

pytestmark = pytest.mark.django_db


def url(episode: Episode) -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/closure/"


def final_plan(episode: Episode, user: User) -> None:
    plan = do_start_plan_version("relapse_prevention", episode, acting_user=user)
    trigger = {"category": "feelings", "description": "Lonely Sunday evenings", "coping": "Call my sister."}
    do_save_plan_section(plan, "triggers", [trigger], acting_user=user)
    do_save_plan_section(plan, "booster_sessions", {"frequency": "Monthly", "dates": ["2030-01-04"]}, acting_user=user)
    do_finalise_plan(plan, acting_user=user)


def form(record: dict[str, Any], decision: str, **fields: Any) -> dict[str, Any]:
    first, second = record["goals"]
    data = {
        "decision": decision,
        f"goal_{first.pk}": "met",
        f"goal_{second.pk}": "partly",
        "feelings_about_ending": "Sad, and proud.",
        "what_helped": "Saying it out loud to Mum.",
        "confirm_end": "on",
        "boosters-TOTAL_FORMS": "1",
        "boosters-INITIAL_FORMS": "1",
        "boosters-MIN_NUM_FORMS": "0",
        "boosters-MAX_NUM_FORMS": "12",
        "boosters-0-date": "2030-01-04",
    }
    return data | fields


def reload(episode: Episode) -> Episode:
    return Episode.objects.get(pk=episode.pk)


class TestDecisions:
    def test_completed_reviews_the_goals_and_completes_the_episode(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        response = sign_in(alice).post(url(episode), form(record, "completed"))
        assert response.status_code == 302
        assert reload(episode).status == "completed"
        first, second = record["goals"]
        assert Goal.objects.get(pk=first.pk).status == "met"
        assert Goal.objects.get(pk=second.pk).status == "partly"
        closure = EpisodeClosure.objects.get(episode=episode)
        assert closure.what_helped == "Saying it out loud to Mum."
        assert closure.booster_dates == ["2030-01-04"]
        assert [r["status"] for r in closure.goal_reviews] == ["met", "partly"]

    def test_maintenance_completes_the_episode_and_offers_a_maintenance_episode(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        http = sign_in(alice)
        http.post(url(episode), form(record, "maintenance"))
        assert reload(episode).status == "completed"
        page = http.get(url(episode)).content.decode()
        assert "Open the maintenance episode" in page
        assert f'href="/clients/{episode.client_id}/episodes/new/"' in page

    def test_a_new_contract_keeps_the_episode_open_and_offers_the_renegotiation(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        http = sign_in(alice)
        http.post(url(episode), form(record, "new_contract", confirm_end=""))
        assert reload(episode).is_open
        page = http.get(url(episode)).content.decode()
        assert f'href="/clients/{episode.client_id}/episodes/{episode.pk}/renegotiate/"' in page
        # The closure can be recorded again at the end of the new contract.
        http.post(url(episode), form(record, "completed"))
        assert reload(episode).status == "completed"
        assert EpisodeClosure.objects.get(episode=episode).decision == "completed"

    def test_refer_needs_where_and_completes_the_episode_with_the_referral(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        http = sign_in(alice)
        refused = http.post(url(episode), form(record, "refer"))
        assert "Say where the client is referred to" in refused.content.decode()
        assert reload(episode).is_open
        http.post(url(episode), form(record, "refer", referral_to="CBT at the county clinic: no response to IPT."))
        assert reload(episode).status == "completed"
        assert EpisodeClosure.objects.get(episode=episode).referral_to.startswith("CBT at the county clinic")

    def test_an_ending_decision_needs_confirmation(self, episode: Episode, record: dict[str, Any], alice: User) -> None:
        final_plan(episode, alice)
        refused = sign_in(alice).post(url(episode), form(record, "completed", confirm_end=""))
        assert "Tick the box to confirm that the episode ends." in refused.content.decode()
        assert reload(episode).is_open

    def test_every_goal_is_reviewed(self, episode: Episode, record: dict[str, Any], alice: User) -> None:
        final_plan(episode, alice)
        with pytest.raises(ValidationError, match="Review every goal"):
            do_record_closure(episode, {"decision": "completed"}, {record["goals"][0].pk: "met"}, acting_user=alice)


class TestThePlanComesFirst:
    def test_it_needs_a_final_plan_or_the_reason_why_not(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        http = sign_in(alice)
        page = http.get(url(episode)).content.decode()
        assert "Closure needs a final plan, or the reason why there is none." in page
        refused = http.post(url(episode), form(record, "completed"))
        assert "Finalise the relapse-prevention plan before closing" in refused.content.decode()
        assert reload(episode).is_open
        http.post(url(episode), form(record, "completed", no_plan_reason="The client moved away after session 9."))
        assert reload(episode).status == "completed"

    def test_the_plans_booster_dates_are_offered(self, episode: Episode, record: dict[str, Any], alice: User) -> None:
        final_plan(episode, alice)
        page = sign_in(alice).get(url(episode)).content.decode()
        assert 'value="2030-01-04"' in page


class TestProgress:
    def test_a_non_responder_is_prompted_to_offer_another_treatment_or_a_new_contract(
        self, episode: Episode, alice: User
    ) -> None:
        phq9(episode.client, alice, 16, days_ago=80)
        phq9(episode.client, alice, 12)
        outcomes = outcomes_for(episode)
        assert outcomes.phq9 is not None
        assert (outcomes.phq9.change, outcomes.phq9.verdict) == (-4, "no reliable change")
        assert outcomes.non_responder is True
        page = sign_in(alice).get(url(episode)).content.decode()
        assert "No reliable improvement on the PHQ-9." in page
        assert "another treatment (refer elsewhere) or a new contract, rather than simply ending.</p>" in page
        # Our own documents are named in the code, never on the page.
        assert "IPT-DOMAIN" not in page and "§" not in page

    def test_a_responder_shows_reliable_improvement_response_and_recovery(self, episode: Episode, alice: User) -> None:
        phq9(episode.client, alice, 18, days_ago=80)
        phq9(episode.client, alice, 4)
        outcomes = outcomes_for(episode)
        assert outcomes.non_responder is False
        assert (outcomes.phq9.response, outcomes.phq9.remission, outcomes.phq9.recovered) == (True, True, True)
        page = sign_in(alice).get(url(episode)).content.decode()
        assert "reliable improvement" in page
        assert "No reliable improvement on the PHQ-9." not in page

    def test_the_tables_scroll_inside_focusable_regions(self, episode: Episode, alice: User) -> None:
        """The measures table fits a 1280-pixel screen (tests/plans/test_closure_layout.py); narrower, it and the
        use table scroll inside a region that a keyboard can reach."""
        phq9(episode.client, alice, 16, days_ago=80)
        phq9(episode.client, alice, 12)
        page = sign_in(alice).get(url(episode)).content.decode()
        assert '<div class="table-wrap" role="region" aria-labelledby="measures-heading" tabindex="0">' in page
        assert '<div class="table-wrap" role="region" aria-labelledby="use-heading" tabindex="0">' in page
        assert '<h3 id="measures-heading">' in page and '<h3 id="use-heading">' in page
        assert "Response<br>" in page and "Remission<br>" in page

    def test_without_a_phq9_pair_it_asks_for_one(self, episode: Episode, alice: User) -> None:
        assert outcomes_for(episode).non_responder is None
        assert "Give the PHQ-9" in sign_in(alice).get(url(episode)).content.decode()

    def test_use_is_reported_apart_from_mood(self, episode: Episode, alice: User) -> None:
        today = timezone.localdate()
        Episode.objects.filter(pk=episode.pk).update(start_date=today - dt.timedelta(days=40))
        episode = reload(episode)
        for days_ago in range(10):
            UseDay.objects.create(
                organization_id=episode.client.organization_id,
                client=episode.client,
                date=today - dt.timedelta(days=days_ago),
                substance="any",
                used=days_ago == 3,
                source="tlfb",
            )
        use = outcomes_for(episode).use
        assert use.before_episode.percent_days_abstinent is None
        assert (use.recent.days_recorded, use.recent.percent_days_abstinent) == (10, round(9 / 28 * 100, 1))
        page = sign_in(alice).get(url(episode)).content.decode()
        assert "Substance use, reported separately" in page

    def test_the_closure_keeps_the_figures_seen_when_it_was_recorded(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        phq9(episode.client, alice, 16, days_ago=80)
        phq9(episode.client, alice, 12)
        statuses = {goal.pk: "not_met" for goal in record["goals"]}
        closure = do_record_closure(episode, {"decision": "new_contract"}, statuses, acting_user=alice)
        assert closure.outcomes["measures"]["PHQ-9"]["baseline"] == 16
        assert closure.outcomes["non_responder"] is True


class TestAccessAndAudit:
    def test_readers_read_and_only_the_care_team_records(
        self, episode: Episode, record: dict[str, Any], alice: User, bob: User, pia: User
    ) -> None:
        final_plan(episode, alice)
        assert sign_in(bob).get(url(episode)).status_code == 200
        assert "Record the closure" not in sign_in(bob).get(url(episode)).content.decode()
        assert sign_in(bob).post(url(episode), form(record, "completed")).status_code == 404
        assert sign_in(pia).get(url(episode)).status_code == 200
        assert reload(episode).is_open

    def test_anyone_else_gets_not_found(self, episode: Episode, tom: User, carol: User) -> None:
        assert sign_in(tom).get(url(episode)).status_code == 404
        assert sign_in(carol).get(url(episode)).status_code == 404

    def test_reads_and_the_recording_are_audited(self, episode: Episode, record: dict[str, Any], alice: User) -> None:
        final_plan(episode, alice)
        http = sign_in(alice)
        http.get(url(episode))
        http.post(url(episode), form(record, "completed"))
        read = AuditEvent.objects.filter(event_type=EventType.PLAN_VIEWED, extra__plan="closure").get()
        assert read.actor == alice
        recorded = AuditEvent.objects.get(event_type=EventType.CLOSURE_CHANGED)
        first = record["goals"][0]
        assert recorded.extra["changes"]["decision"] == [None, "completed"]
        assert recorded.extra["changes"][f"goal {first.pk}"] == ["open", "met"]
        goal_event = AuditEvent.objects.get(
            event_type=EventType.EPISODE_CHANGED, object_type="ipt.goal", object_id=str(first.pk)
        )
        assert goal_event.extra["via"] == "closure"
        status_event = (
            AuditEvent.objects.filter(event_type=EventType.EPISODE_CHANGED, object_type="ipt.episode")
            .order_by("id")
            .last()
        )
        assert status_event.extra["changes"]["status"][1] == "completed"

    def test_a_closed_episodes_closure_no_longer_changes(
        self, episode: Episode, record: dict[str, Any], alice: User
    ) -> None:
        final_plan(episode, alice)
        http = sign_in(alice)
        http.post(url(episode), form(record, "completed"))
        page = http.get(url(episode)).content.decode()
        assert "The episode is closed: its closure no longer changes." in page
        with pytest.raises(ValidationError, match="already closed"):
            do_record_closure(episode, {"decision": "refer", "referral_to": "x"}, {}, acting_user=alice)

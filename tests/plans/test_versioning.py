"""Versions: one draft at a time, a final version never changes (by action or by SQL), the next version starts as a
copy, a new episode starts from the client's last final plan, and the client-facing copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.ipt.models import Episode
from iptcare.plans.actions import (
    COMING_BACK,
    PlanIsFinal,
    do_finalise_plan,
    do_save_plan_section,
    do_start_plan_version,
)
from iptcare.plans.models import PlanStatus, RelapsePreventionPlan
from iptcare.plans.selectors import client_facing_plan, plan_state

pytestmark = pytest.mark.django_db

KIND = "relapse_prevention"
TRIGGER = {"category": "feelings", "description": "Lonely Sunday evenings", "coping": "Call my sister."}


def finished(episode: Episode, user: User) -> RelapsePreventionPlan:
    """A first version with a trigger, finalised."""
    plan = do_start_plan_version(KIND, episode, acting_user=user)
    do_save_plan_section(plan, "triggers", [TRIGGER], acting_user=user)
    return do_finalise_plan(plan, acting_user=user)


def test_a_new_plan_starts_with_the_crisis_lines_and_the_words_on_lapses(episode: Episode, alice: User) -> None:
    content = do_start_plan_version(KIND, episode, acting_user=alice).parsed()
    assert content.crisis_lines[0].phone == "Call or text 988"
    assert content.crisis_lines[1].phone == "Dial 988, then press 1"
    assert content.after_lapse.how_to_come_back == COMING_BACK


def test_it_keeps_one_draft_at_a_time(episode: Episode, alice: User) -> None:
    do_start_plan_version(KIND, episode, acting_user=alice)
    with pytest.raises(ValidationError, match="already a draft"):
        do_start_plan_version(KIND, episode, acting_user=alice)


def test_a_final_version_is_never_changed(episode: Episode, alice: User) -> None:
    plan = finished(episode, alice)
    with pytest.raises(PlanIsFinal):
        do_save_plan_section(plan, "reasons", ["My children"], acting_user=alice)
    with pytest.raises(PlanIsFinal):
        do_finalise_plan(plan, acting_user=alice)
    plan.refresh_from_db()
    assert plan.parsed().reasons == []


def test_the_database_refuses_to_change_a_final_version(episode: Episode, alice: User) -> None:
    plan = finished(episode, alice)
    with pytest.raises(DatabaseError), transaction.atomic():
        RelapsePreventionPlan.objects.filter(pk=plan.pk).update(content={})
    with pytest.raises(DatabaseError), transaction.atomic():
        RelapsePreventionPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)


def test_the_next_version_starts_as_a_copy_of_the_last(episode: Episode, alice: User) -> None:
    first = finished(episode, alice)
    second = do_start_plan_version(KIND, episode, acting_user=alice)
    assert (second.version, second.status, second.copied_from_id) == (2, "draft", first.pk)
    assert second.content == first.content
    do_save_plan_section(second, "reasons", ["My children"], acting_user=alice)
    first.refresh_from_db()
    assert first.parsed().reasons == []
    state = plan_state(KIND, episode)
    assert [p.summary.split(",")[0] for p in state.versions] == ["Version 1 of 2", "Version 2 of 2"]
    assert state.versions[0].summary.endswith("by Alice Ashby")
    assert state.versions[1].summary == "Version 2 of 2, draft"


def test_a_new_episode_starts_from_the_clients_last_final_plan(episode: Episode, alice: User) -> None:
    first = finished(episode, alice)
    do_change_episode_status(episode, "completed", acting_user=alice, note="Done.")
    maintenance = do_open_episode(episode.client, format_="maintenance", primary_therapist=alice, acting_user=alice)
    plan = do_start_plan_version(KIND, maintenance, acting_user=alice)
    assert (plan.version, plan.copied_from_id) == (1, first.pk)
    assert plan.parsed().triggers[0].description == "Lonely Sunday evenings"


def test_a_closed_episodes_plan_no_longer_changes(episode: Episode, alice: User) -> None:
    plan = do_start_plan_version(KIND, episode, acting_user=alice)
    do_change_episode_status(episode, "dropped_out", acting_user=alice, note="Left.")
    with pytest.raises(ValidationError, match="closed"):
        do_save_plan_section(plan, "reasons", ["My children"], acting_user=alice)


def test_it_refuses_a_section_that_breaks_the_schema(episode: Episode, alice: User) -> None:
    plan = do_start_plan_version(KIND, episode, acting_user=alice)
    with pytest.raises(ValidationError) as refused:
        do_save_plan_section(plan, "triggers", [{"category": "weather", "description": "Rain"}], acting_user=alice)
    assert "triggers" in refused.value.message_dict


def test_finalising_needs_a_coping_step_for_each_trigger(episode: Episode, alice: User) -> None:
    plan = do_start_plan_version(KIND, episode, acting_user=alice)
    do_save_plan_section(plan, "triggers", [TRIGGER | {"coping": ""}], acting_user=alice)
    with pytest.raises(ValidationError, match="coping step: Lonely Sunday evenings"):
        do_finalise_plan(plan, acting_user=alice)


def test_each_change_is_audited_with_its_old_and_new_value(episode: Episode, alice: User) -> None:
    plan = finished(episode, alice)
    events = list(AuditEvent.objects.filter(event_type=EventType.PLAN_CHANGED, object_id=str(plan.pk)).order_by("id"))
    assert [e.extra.get("started", False) for e in events] == [True, False, False]
    assert events[1].extra["changes"]["triggers"][0] == []
    assert events[1].extra["changes"]["triggers"][1][0]["description"] == "Lonely Sunday evenings"
    assert events[2].extra["changes"] == {"status": ["draft", "final"]}


def test_the_client_sees_only_the_current_final_version(episode: Episode, alice: User, fern: Any) -> None:
    assert client_facing_plan(fern) is None
    finished(episode, alice)
    second = do_start_plan_version(KIND, episode, acting_user=alice)
    do_save_plan_section(second, "reasons", ["My children"], acting_user=alice)
    shown = client_facing_plan(fern)
    assert shown is not None
    assert shown.version == 1
    sections = {s["key"]: s for s in shown.sections}
    assert sections["reasons"]["value"] == []
    assert sections["triggers"]["value"] == [TRIGGER | {"category": "feelings"}]
    assert "source" not in sections["crisis_lines"]["value"][0]


def test_the_demo_closes_an_episode_with_a_final_plan(episode: Episode, record: dict[str, Any], alice: User) -> None:
    from iptcare.plans.demo import close_episode

    closure = close_episode(episode, acting_user=alice)
    assert closure.decision == "completed"
    assert Episode.objects.get(pk=episode.pk).status == "completed"
    plan = RelapsePreventionPlan.objects.get(episode=episode)
    assert plan.is_final
    assert all(item.coping for item in plan.parsed().triggers)
    assert len(plan.parsed().booster_sessions.dates) == 3

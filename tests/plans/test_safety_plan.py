"""The suicide safety plan: expected when risk was recorded (a PHQ-9 item-9 or C-SSRS high-risk alert, or a C-SSRS
with a moderate or high result), six ordered steps, its own versions, and a one-page print."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.models import Episode
from iptcare.lib.notices import PART2_SHORT_NOTICE
from iptcare.measures.actions import do_record_administration
from iptcare.plans.actions import do_finalise_plan, do_save_plan_section, do_start_plan_version
from iptcare.plans.content import SAFETY_SECTIONS
from iptcare.plans.selectors import risk_signals
from tests.conftest import sign_in
from tests.plans.conftest import phq9

pytestmark = pytest.mark.django_db


def url(episode: Episode, suffix: str = "") -> str:
    return f"/clients/{episode.client_id}/episodes/{episode.pk}/safety-plan/{suffix}"


def cssrs(client: Client, user: User, **answers: str) -> None:
    do_record_administration(client, "C-SSRS", answers, acting_user=user, notify=False)


def test_no_safety_plan_is_flagged_without_recorded_risk(episode: Episode, alice: User) -> None:
    phq9(episode.client, alice, 8)
    assert risk_signals(episode.client) == []
    page = sign_in(alice).get(url(episode)).content.decode()
    assert "A safety plan is expected" not in page
    assert "No safety plan yet." in page


def test_a_positive_phq9_item9_makes_a_safety_plan_expected(episode: Episode, alice: User) -> None:
    phq9(episode.client, alice, 12, item9=1)
    assert [s.label for s in risk_signals(episode.client)] == ["PHQ-9 item 9 above 0"]
    page = sign_in(alice).get(url(episode)).content.decode()
    assert "A safety plan is expected: risk was recorded for this client." in page
    relapse_page = sign_in(alice).get(f"/clients/{episode.client_id}/episodes/{episode.pk}/plan/").content.decode()
    assert "a safety plan is expected as well" in relapse_page


def test_a_moderate_cssrs_makes_a_safety_plan_expected(episode: Episode, alice: User) -> None:
    cssrs(episode.client, alice, **{"1": "yes", "2": "yes", "3": "yes", "4": "no", "5": "no", "6": "no"})
    assert [s.label for s in risk_signals(episode.client)] == ["C-SSRS screener: moderate risk"]


def test_a_low_cssrs_alone_does_not(episode: Episode, alice: User) -> None:
    cssrs(episode.client, alice, **{"1": "yes", "2": "no", "6": "no"})
    assert risk_signals(episode.client) == []


def test_the_six_steps_come_in_stanley_browns_order(episode: Episode, alice: User) -> None:
    assert [s.step for s in SAFETY_SECTIONS[:6]] == [1, 2, 3, 4, 5, 6]
    plan = do_start_plan_version("safety", episode, acting_user=alice)
    # Step 5 starts with the crisis lines: 988, call or text; veterans press 1.
    assert plan.parsed().professionals[0].phone == "Call or text 988"
    page = sign_in(alice).get(url(episode)).content.decode()
    steps = [page.index(f"Step {n}:") for n in range(1, 7)]
    assert steps == sorted(steps)


def test_it_is_finalised_only_with_every_step_filled_and_then_printed(
    episode: Episode, alice: User, sister: object
) -> None:
    plan = do_start_plan_version("safety", episode, acting_user=alice)
    with pytest.raises(ValidationError, match="Warning signs"):
        do_finalise_plan(plan, acting_user=alice)
    do_save_plan_section(plan, "warning_signs", ["Not sleeping", "Giving things away"], acting_user=alice)
    do_save_plan_section(plan, "internal_coping", ["Walk the dog"], acting_user=alice)
    do_save_plan_section(plan, "distraction", [{"name": "The library"}], acting_user=alice)
    do_save_plan_section(plan, "help_contacts", [{"name": "Big sister", "phone": "555 010 1234"}], acting_user=alice)
    do_save_plan_section(plan, "safe_environment", ["Sister keeps the medication"], acting_user=alice)
    do_finalise_plan(plan, acting_user=alice)
    page = sign_in(alice).get(url(episode, "print/")).content.decode()
    assert "My safety plan" in page
    assert PART2_SHORT_NOTICE in page
    assert "Call or text 988" in page


def test_the_safety_plan_has_its_own_versions(episode: Episode, alice: User) -> None:
    do_start_plan_version("safety", episode, acting_user=alice)
    relapse = do_start_plan_version("relapse_prevention", episode, acting_user=alice)
    assert relapse.version == 1


def test_suggestions_for_help_are_the_supportive_people(episode: Episode, alice: User, sister: object) -> None:
    http = sign_in(alice)
    do_start_plan_version("safety", episode, acting_user=alice)
    page = http.get(url(episode, "sections/help_contacts/")).content.decode()
    assert "Big sister" in page
    professionals = http.get(url(episode, "sections/professionals/")).content.decode()
    assert "Alice Ashby" in professionals

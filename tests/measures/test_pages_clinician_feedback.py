"""What a clinician trying the measures pages reported: hidden screens, short chart axes, alerts without detail,
"(optional)" on every item, no word after saving, and two controls with one id."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.models import Client
from iptcare.ipt.actions import do_change_episode_status, do_open_episode
from iptcare.measures.actions import do_record_administration
from iptcare.measures.instruments import INSTRUMENTS, get_instrument
from iptcare.measures.models import Administration, Alert, AlertRule
from iptcare.measures.selectors import chart_for, describe_alert, history
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def phq9(*values: int) -> dict[str, int]:
    return {str(n): v for n, v in enumerate(values, start=1)}


def gad7(*values: int) -> dict[str, int]:
    return {str(n): v for n, v in enumerate(values, start=1)}


def audit_c(one: int, two: int, three: int) -> dict[str, int]:
    return {"1": one, "2": two, "3": three}


def axis_ticks(svg: str) -> list[str]:
    return re.findall(r'text-anchor="end" fill="#44505c">([0-9.]+)</text>', svg)


class TestScreensAndCharts:
    def test_a_positive_audit_c_shows_as_a_positive_screen_in_the_list_and_on_the_result(
        self, fern: Client, alice: User
    ) -> None:
        administration = do_record_administration(fern, "AUDIT-C", audit_c(4, 2, 2), acting_user=alice)
        assert (administration.total, administration.band, administration.positive) == (8, "", True)
        http = sign_in(alice)
        page = http.get(f"/clients/{fern.pk}/measures/").content.decode()
        assert "<td>Positive screen (≥4 men / ≥3 women)</td>" in page
        assert '<span class="badge">Positive screen (≥4 men / ≥3 women)</span>' in page
        result = http.get(f"/clients/{fern.pk}/measures/{administration.pk}/").content.decode()
        assert "<strong>Positive screen (≥4 men / ≥3 women)</strong>" in result
        # AUDIT-C has no bands: no "Band: —" row beside the screen.
        assert "<dt>Band</dt>" not in result

    def test_a_negative_phq2_shows_as_a_negative_screen(self, fern: Client, alice: User) -> None:
        do_record_administration(fern, "PHQ-2", {"1": 1, "2": 1}, acting_user=alice)
        page = sign_in(alice).get(f"/clients/{fern.pk}/measures/").content.decode()
        assert "<td>Negative screen (≥3)</td>" in page

    def test_it_says_which_cut_off_applied_when_sex_at_birth_is_not_recorded(self, fern: Client, alice: User) -> None:
        fern.sex_at_birth = "unknown"
        fern.save()
        administration = do_record_administration(fern, "AUDIT-C", audit_c(1, 1, 1), acting_user=alice)
        assert (administration.total, administration.positive) == (3, True)
        assert administration.screen_cut_off_note == (
            "Sex at birth is not recorded as female or male: the cut-off of 3 was used."
        )
        result = sign_in(alice).get(f"/clients/{fern.pk}/measures/{administration.pk}/").content.decode()
        assert "the cut-off of 3 was used" in result

    def test_an_instrument_with_bands_keeps_its_band(self, fern: Client, alice: User) -> None:
        administration = do_record_administration(fern, "PHQ-9", phq9(1, 1, 1, 1, 1, 1, 0, 0, 0), acting_user=alice)
        assert administration.result_label == "Mild"
        page = sign_in(alice).get(f"/clients/{fern.pk}/measures/").content.decode()
        assert "<td>Mild</td>" in page

    @pytest.mark.parametrize(
        ("code", "low", "high"),
        [
            ("PHQ-9", 0, 27),
            ("PHQ-2", 0, 6),
            ("GAD-7", 0, 21),
            ("AUDIT", 0, 40),
            ("AUDIT-C", 0, 12),
            ("DAST-10", 0, 10),
            ("PACS", 0, 30),
            ("MSPSS", 1, 7),
        ],
    )
    def test_every_instrument_knows_its_full_score_range(self, code: str, low: int, high: int) -> None:
        assert get_instrument(code).score_range == (low, high)

    def test_instruments_without_a_total_have_no_range(self) -> None:
        assert [code for code, i in INSTRUMENTS.items() if i.score_range is None] == ["BAM", "C-SSRS"]

    def test_the_audit_c_chart_runs_from_0_to_12_whatever_the_totals(self, fern: Client, alice: User) -> None:
        do_record_administration(fern, "AUDIT-C", audit_c(4, 2, 2), acting_user=alice)
        svg = chart_for(fern, "AUDIT-C", history(fern, "AUDIT-C"), set())
        assert axis_ticks(svg) == ["0", "12"]
        page = sign_in(alice).get(f"/clients/{fern.pk}/measures/").content.decode()
        assert '<title id="chart-AUDIT-C-title">' in page
        assert "8 Positive screen (≥4 men / ≥3 women)" in svg

    @pytest.mark.parametrize(
        ("code", "answers", "top"),
        [
            ("PHQ-2", {"1": 1, "2": 0}, "6"),
            ("PACS", {str(n): 1 for n in range(1, 6)}, "30"),
            ("DAST-10", {str(n): "no" for n in range(1, 11)}, "10"),
            ("MSPSS", {str(n): 4 for n in range(1, 13)}, "7"),
        ],
    )
    def test_every_chart_uses_the_full_range(
        self, fern: Client, alice: User, code: str, answers: dict[str, object], top: str
    ) -> None:
        do_record_administration(fern, code, answers, acting_user=alice)
        ticks = axis_ticks(chart_for(fern, code, history(fern, code), set()))
        low, high = get_instrument(code).score_range
        assert (ticks[0], ticks[-1]) == (f"{low:g}", f"{high:g}") == (ticks[0], top)


class TestAlertDetail:
    @pytest.fixture
    def deteriorated(self, fern: Client, alice: User) -> Client:
        """PHQ-9 5 → 15 and GAD-7 2 → 10: two reliable deteriorations, one per instrument."""
        start = timezone.now() - dt.timedelta(days=14)
        with time_machine.travel(start, tick=False):
            do_record_administration(fern, "PHQ-9", phq9(1, 1, 1, 1, 1, 0, 0, 0, 0), acting_user=alice)
            do_record_administration(fern, "GAD-7", gad7(1, 1, 0, 0, 0, 0, 0), acting_user=alice)
        do_record_administration(fern, "PHQ-9", phq9(2, 2, 2, 2, 2, 2, 2, 1, 0), acting_user=alice)
        do_record_administration(fern, "GAD-7", gad7(2, 2, 2, 1, 1, 1, 1), acting_user=alice)
        assert Alert.objects.filter(rule=AlertRule.DETERIORATION).count() == 2
        return fern

    def test_the_client_record_names_the_instrument_and_scores_of_each_deterioration(
        self, deteriorated: Client, alice: User
    ) -> None:
        page = sign_in(alice).get(f"/clients/{deteriorated.pk}/").content.decode()
        then = f"{timezone.localtime(timezone.now() - dt.timedelta(days=14)):%Y-%m-%d}"
        today = f"{timezone.localdate():%Y-%m-%d}"
        assert f"PHQ-9: 5 on {then} → 15 on {today}" in page
        assert f"GAD-7: 2 on {then} → 10 on {today}" in page
        lines = re.findall(r"<li>\s*<strong>Reliable deterioration</strong>(.*?)</li>", page, re.S)
        assert len(lines) == 2 and lines[0] != lines[1]

    def test_the_close_page_shows_rule_instrument_date_total_and_baseline(
        self, deteriorated: Client, alice: User
    ) -> None:
        alert = Alert.objects.get(rule=AlertRule.DETERIORATION, administration__instrument_code="PHQ-9")
        page = sign_in(alice).get(f"/clients/{deteriorated.pk}/alerts/{alert.pk}/").content.decode()
        administration = alert.administration
        baseline = Administration.objects.filter(instrument_code="PHQ-9").earliest("administered_at")
        assert "<strong>Reliable deterioration</strong>" in page
        assert "<dt>Questionnaire</dt><dd>PHQ-9" in page
        assert f"{timezone.localtime(administration.administered_at):%Y-%m-%d %H:%M}" in page
        assert "<dt>Total</dt><dd><strong>15</strong> · Moderately severe</dd>" in page
        assert f"{timezone.localtime(baseline.administered_at):%Y-%m-%d %H:%M}" in page
        assert "total <strong>5</strong>" in page
        assert "5 → 15 (10 points)" in page
        assert "reliable change: 6 points" in page
        # The stored detail agrees with the baseline shown, so it is not repeated.
        assert "Recorded when raised" not in page

    def test_the_close_page_keeps_the_detail_recorded_when_the_baseline_changed_since(
        self, deteriorated: Client, alice: User
    ) -> None:
        alert = Alert.objects.get(rule=AlertRule.DETERIORATION, administration__instrument_code="PHQ-9")
        # A later baseline chosen between the two results: the alert still says what it said when raised.
        middle = timezone.now() - dt.timedelta(days=7)
        with time_machine.travel(middle, tick=False):
            between = do_record_administration(
                deteriorated, "PHQ-9", phq9(2, 2, 2, 1, 1, 1, 1, 0, 0), acting_user=alice
            )
        sign_in(alice).post(f"/clients/{deteriorated.pk}/measures/{between.pk}/baseline/")
        facts = describe_alert(Alert.objects.get(pk=alert.pk))
        assert facts.baseline == between
        assert facts.note == "PHQ-9 5 → 15"

    def test_an_item_9_alert_shows_the_answer_and_the_total(self, fern: Client, alice: User) -> None:
        administration = do_record_administration(fern, "PHQ-9", phq9(1, 2, 1, 1, 0, 0, 0, 0, 2), acting_user=alice)
        alert = Alert.objects.get(rule=AlertRule.PHQ9_ITEM9)
        http = sign_in(alice)
        page = http.get(f"/clients/{fern.pk}/alerts/{alert.pk}/").content.decode()
        assert "<dt>Questionnaire</dt><dd>PHQ-9" in page
        assert "<dt>Total</dt><dd><strong>7</strong> · Mild</dd>" in page
        assert "<dt>Item 9</dt>" in page and "<strong>More than half the days (2)</strong>" in page
        assert "Thoughts of death or self-harm (item 9 above 0)" in page
        assert f"/clients/{fern.pk}/measures/{administration.pk}/" in page
        record = http.get(f"/clients/{fern.pk}/").content.decode()
        day = f"{timezone.localdate():%Y-%m-%d}"
        assert f"PHQ-9 on {day}: total 7, Mild; item 9: More than half the days (2)" in record

    def test_a_cssrs_high_risk_alert_shows_only_the_asked_answers_behind_it(self, fern: Client, alice: User) -> None:
        answers = {"1": "yes", "2": "yes", "3": "yes", "4": "yes", "5": "no", "6": "no"}
        do_record_administration(fern, "C-SSRS", answers, acting_user=alice)
        facts = describe_alert(Alert.objects.get(rule=AlertRule.CSSRS_HIGH))
        assert [(a.item.key, a.label) for a in facts.answers] == [("4", "Yes"), ("5", "No")]
        assert facts.summary.endswith(": High risk; item 4: Yes; item 5: No")

    def test_an_alert_not_raised_by_a_questionnaire_shows_its_detail(self, fern: Client, alice: User) -> None:
        from iptcare.measures.actions import raise_alert

        alert = raise_alert(fern, AlertRule.MISSED_SESSIONS, detail="Missed 2026-03-02 and 2026-03-09")
        page = sign_in(alice).get(f"/clients/{fern.pk}/alerts/{alert.pk}/").content.decode()
        assert "Missed 2026-03-02 and 2026-03-09" in page
        assert "<dt>Questionnaire</dt>" not in page
        record = sign_in(alice).get(f"/clients/{fern.pk}/").content.decode()
        assert "Missed 2026-03-02 and 2026-03-09" in record


class TestGivingAForm:
    def test_items_are_not_each_marked_optional_and_blanks_are_explained_once(self, fern: Client, alice: User) -> None:
        page = sign_in(alice).get(f"/clients/{fern.pk}/measures/give/PHQ-9/").content.decode()
        assert "(optional)" not in page
        assert page.count("Leave an item blank only if the client did not answer it; it is recorded as missing") == 1
        assert page.index("Leave an item blank only") < page.index("1. Little interest")
        # Only the difficulty question, which the PHQ-9 itself leaves optional and does not score, says so.
        assert page.count("Optional: not counted in the total.") == 1

    def test_the_client_link_page_has_no_optional_markers_either(self, fern: Client, alice: User) -> None:
        from iptcare.measures.links import do_create_link

        _link, url = do_create_link(fern, "GAD-7", acting_user=alice, base_url="http://testserver")
        page = sign_in(alice).get(url.removeprefix("http://testserver")).content.decode()
        assert "(optional)" not in page
        assert "You can leave a question blank" in page

    def test_saving_says_so_and_links_back_to_the_open_episode(self, fern: Client, alice: User) -> None:
        episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
        http = sign_in(alice)
        give = http.get(f"/clients/{fern.pk}/measures/give/PHQ-9/").content.decode()
        episode_url = f"/clients/{fern.pk}/episodes/{episode.pk}/"
        assert f'href="{episode_url}"' in give
        answers = {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": "0"}
        response = http.post(f"/clients/{fern.pk}/measures/give/PHQ-9/", answers, follow=True)
        page = response.content.decode()
        assert "PHQ-9 saved: total 8, Mild." in page
        assert f'href="{episode_url}"' in page
        assert "Back to the IPT episode" in page
        assert "Back to measures" in page

    def test_there_is_no_episode_link_without_an_open_episode(self, fern: Client, alice: User) -> None:
        episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
        do_change_episode_status(episode, "transferred", acting_user=alice, note="Moved away.")
        response = sign_in(alice).post(
            f"/clients/{fern.pk}/measures/give/AUDIT-C/", {"item_1": "4", "item_2": "2", "item_3": "2"}, follow=True
        )
        page = response.content.decode()
        assert "AUDIT-C saved: total 8, Positive screen (≥4 men / ≥3 women)." in page
        assert "Back to the IPT episode" not in page

    def test_a_total_left_out_by_a_blank_item_is_said_plainly(self, fern: Client, alice: User) -> None:
        answers = {f"item_{n}": "1" for n in (1, 2, 3, 5, 6, 7, 8)} | {"item_9": "0"}
        response = sign_in(alice).post(f"/clients/{fern.pk}/measures/give/PHQ-9/", answers, follow=True)
        assert "PHQ-9 saved, without a total: an item it needs was left blank" in response.content.decode()


def test_the_measures_page_gives_every_control_its_own_id(fern: Client, alice: User) -> None:
    page = sign_in(alice).get(f"/clients/{fern.pk}/measures/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    assert '<label for="id_link-instrument">Questionnaire' in page
    assert '<label for="id_schedule-instrument">Questionnaire' in page
    assert 'id="id_instrument"' not in page


def test_a_deterioration_is_described_by_its_totals_not_by_other_flags_on_the_result(fern: Client, alice: User) -> None:
    with time_machine.travel(timezone.now() - dt.timedelta(days=14), tick=False):
        do_record_administration(fern, "PHQ-9", phq9(1, 1, 1, 1, 1, 0, 0, 0, 0), acting_user=alice)
    do_record_administration(fern, "PHQ-9", phq9(2, 2, 2, 2, 2, 2, 2, 1, 1), acting_user=alice)
    deterioration = describe_alert(Alert.objects.get(rule=AlertRule.DETERIORATION))
    item_9 = describe_alert(Alert.objects.get(rule=AlertRule.PHQ9_ITEM9))
    assert (deterioration.answers, deterioration.flags) == ((), ())
    assert deterioration.change is not None and deterioration.change.change == 11
    assert [a.item.key for a in item_9.answers] == ["9"]
    assert item_9.baseline is None


def test_an_item_9_left_blank_by_the_client_is_shown_as_not_answered(fern: Client, alice: User) -> None:
    answers = phq9(1, 1, 0, 0, 0, 0, 0, 0) | {"9": None}
    do_record_administration(fern, "PHQ-9", answers, answered_by="client_link", acting_user=None)
    alert = Alert.objects.get(rule=AlertRule.PHQ9_ITEM9)
    assert alert.facts.summary.endswith(": no total; item 9: not answered")
    page = sign_in(alice).get(f"/clients/{fern.pk}/alerts/{alert.pk}/").content.decode()
    assert '<span class="not-recorded">not answered</span>' in page
    assert "<dt>Total</dt><dd><strong>—</strong></dd>" in page
    assert "Item 9 not answered" in page


def test_a_client_shown_an_audit_c_score_sees_no_empty_brackets(fern: Client, alice: User) -> None:
    from django.test import Client as HttpClient

    from iptcare.measures.links import do_create_link

    fern.organization.show_scores_to_clients = True
    fern.organization.save()
    _link, url = do_create_link(fern, "AUDIT-C", acting_user=alice, base_url="http://testserver")
    done = HttpClient().post(url.removeprefix("http://testserver"), {"item_1": "4", "item_2": "2", "item_3": "2"})
    page = done.content.decode()
    assert "Your score: 8. Your care team" in page
    assert "()" not in page

"""Questionnaires given in session, stored as answered, and the safety alerts they raise."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.measures.actions import do_close_alert, do_record_administration
from iptcare.measures.instruments import get_instrument
from iptcare.measures.models import Administration, Alert, AlertRule
from iptcare.measures.scoring import parse_answer_tokens
from iptcare.measures.selectors import progress
from tests.conftest import make_client, sign_in

pytestmark = pytest.mark.django_db

PHQ9_ITEM9_ONE = {"item_1": "1", "item_2": "2", "item_3": "1", "item_4": "1", "item_9": "1"} | {
    f"item_{n}": "0" for n in (5, 6, 7, 8)
}


def phq9(*values: int) -> dict[str, int]:
    return {str(n): v for n, v in enumerate(values, start=1)}


def give_cssrs(client: Client, user: User, *answers: str) -> Administration:
    """Answers in the order the screener asks them (its skip logic decides which items those are)."""
    parsed = parse_answer_tokens(get_instrument("C-SSRS"), answers)
    return do_record_administration(client, "C-SSRS", parsed, acting_user=user)


class TestGivingInSession:
    def test_it_scores_on_the_server_and_shows_the_result(self, fern: Client, alice: User) -> None:
        http = sign_in(alice)
        response = http.post(f"/clients/{fern.pk}/measures/give/PHQ-9/", PHQ9_ITEM9_ONE, follow=True)
        administration = Administration.objects.get(client=fern)
        # 1+2+1+1+0+0+0+0+1 = 6: mild.
        assert (administration.total, administration.band) == (6, "mild")
        assert administration.answers == {
            **{str(n): 0 for n in range(1, 10)},
            "1": 1,
            "2": 2,
            "3": 1,
            "4": 1,
            "9": 1,
            "10": None,
        }
        assert administration.administered_by == alice
        assert administration.answered_by == "clinician"
        assert administration.instrument_version == "2001"
        html = response.content.decode()
        assert "Safety alert raised" in html
        assert "988" in html
        event = AuditEvent.objects.get(event_type=EventType.MEASURE_RECORDED)
        assert (event.actor, event.client) == (alice, fern)

    def test_it_makes_the_clinician_ask_item_9_and_stores_other_blanks_as_missing(
        self, fern: Client, alice: User
    ) -> None:
        http = sign_in(alice)
        blank_item_9 = {f"item_{n}": "1" for n in range(1, 9)}
        response = http.post(f"/clients/{fern.pk}/measures/give/PHQ-9/", blank_item_9)
        assert "needed for safety" in str(response.context["form"].errors["item_9"])
        assert not Administration.objects.exists()
        blank_item_4 = {f"item_{n}": "1" for n in (1, 2, 3, 5, 6, 7, 8)} | {"item_9": "0"}
        http.post(f"/clients/{fern.pk}/measures/give/PHQ-9/", blank_item_4)
        administration = Administration.objects.get()
        assert (administration.answers["4"], administration.total) == (None, None)
        assert not Alert.objects.exists()

    def test_it_treats_a_blank_item_9_from_elsewhere_as_positive(self, fern: Client, alice: User) -> None:
        do_record_administration(
            fern, "PHQ-9", {str(n): 1 for n in range(1, 9)}, answered_by="client_link", acting_user=None
        )
        alert = Alert.objects.get()
        assert (alert.rule, alert.needs_cssrs, alert.detail) == (AlertRule.PHQ9_ITEM9, True, "item9-unanswered")

    def test_it_refuses_an_answer_to_a_question_the_skip_logic_does_not_ask(self, fern: Client, alice: User) -> None:
        data = {"item_1": "no", "item_2": "no", "item_3": "yes", "item_6": "no"}
        response = sign_in(alice).post(f"/clients/{fern.pk}/measures/give/C-SSRS/", data)
        assert response.status_code == 200
        assert "item 3 is not asked" in response.content.decode()
        assert not Administration.objects.exists()

    def test_it_lets_a_supervisor_read_results_but_not_give_a_questionnaire(
        self, fern: Client, alice: User, bob: User
    ) -> None:
        do_record_administration(fern, "PHQ-9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), acting_user=alice)
        http = sign_in(bob)
        assert http.get(f"/clients/{fern.pk}/measures/").status_code == 200
        assert http.post(f"/clients/{fern.pk}/measures/give/PHQ-9/", PHQ9_ITEM9_ONE).status_code == 404
        assert Administration.objects.count() == 1

    def test_it_hides_measures_from_other_teams_and_organizations(self, fern: Client, tom: User, carol: User) -> None:
        administration = do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0), acting_user=None)
        for user in (tom, carol):
            http = sign_in(user)
            assert http.get(f"/clients/{fern.pk}/measures/").status_code == 404
            assert http.get(f"/clients/{fern.pk}/measures/{administration.pk}/").status_code == 404

    def test_it_shows_change_from_baseline_with_the_reliable_change_verdict(self, fern: Client, alice: User) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9(3, 3, 2, 2, 2, 2, 2, 2, 0), acting_user=alice)  # 18
        with time_machine.travel(dt.datetime(2026, 4, 6, 10, tzinfo=dt.UTC)):
            latest = do_record_administration(fern, "PHQ-9", phq9(2, 1, 1, 1, 1, 1, 1, 1, 0), acting_user=alice)  # 9
        html = sign_in(alice).get(f"/clients/{fern.pk}/measures/{latest.pk}/").content.decode()
        assert "Baseline 2026-03-02: 18." in html
        assert "<strong>-9</strong>" in html
        assert "improved" in html
        assert "<svg" in html and "PHQ-9 over time" in html


class TestTheItem9Alert:
    def test_it_raises_a_blocking_alert_for_the_primary_therapist_by_e_mail_without_details(
        self, fern: Client, alice: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            sign_in(alice).post(f"/clients/{fern.pk}/measures/give/PHQ-9/", PHQ9_ITEM9_ONE)
        alert = Alert.objects.get(client=fern)
        assert (alert.rule, alert.status, alert.needs_cssrs, alert.owner) == (AlertRule.PHQ9_ITEM9, "open", True, alice)
        assert [m.to for m in mail.outbox] == [[alice.email]]
        assert "Fern" not in mail.outbox[0].body and "PHQ" not in mail.outbox[0].body

    def test_it_shows_the_alert_on_the_client_and_leads_the_caseload(
        self, north: Organization, north_site: Site, fern: Client, alice: User
    ) -> None:
        make_client(north, north_site, primary=alice, family_name="Aaronson")
        do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 2), acting_user=alice)
        http = sign_in(alice)
        assert "1 open safety alert" in http.get(f"/clients/{fern.pk}/").content.decode()
        first = http.get("/clients/").context["page"].object_list[0]
        assert (first, first.has_open_alert, first.latest_phq9) == (fern, True, 2)

    def test_it_cannot_be_closed_without_a_later_complete_cssrs(self, fern: Client, alice: User) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
            earlier = give_cssrs(fern, alice, "no", "no", "no")
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
        alert = Alert.objects.get(rule=AlertRule.PHQ9_ITEM9)
        with pytest.raises(ValidationError):
            do_close_alert(alert, disposition="Spoke with client; safe.", acting_user=alice)
        with pytest.raises(ValidationError):
            do_close_alert(alert, disposition="Safe.", cssrs_administration=earlier, acting_user=alice)
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)):
            # Item 2 left unanswered: the screener has no risk level, so it cannot close the alert.
            incomplete = do_record_administration(fern, "C-SSRS", {"1": "yes", "6": "no"}, acting_user=alice)
        with pytest.raises(ValidationError):
            do_close_alert(alert, disposition="Safe.", cssrs_administration=incomplete, acting_user=alice)
        alert.refresh_from_db()
        assert alert.status == "open"

    def test_it_closes_through_the_page_once_the_screener_and_disposition_are_given(
        self, fern: Client, alice: User
    ) -> None:
        do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
        alert = Alert.objects.get()
        http = sign_in(alice)
        refused = http.post(f"/clients/{fern.pk}/alerts/{alert.pk}/", {"disposition": "Safe."})
        assert "This field is required" in refused.content.decode()
        screener = give_cssrs(fern, alice, "yes", "no", "no")
        response = http.post(
            f"/clients/{fern.pk}/alerts/{alert.pk}/",
            {
                "disposition": "Passive wish to be dead; no plan. Safety plan reviewed; session in 3 days.",
                "cssrs_administration": screener.pk,
            },
        )
        assert response.status_code == 302
        alert.refresh_from_db()
        assert (alert.status, alert.closed_by, alert.cssrs_administration) == ("closed", alice, screener)
        assert alert.disposition.startswith("Passive wish")
        assert AuditEvent.objects.filter(event_type=EventType.ALERT_CLOSED, client=fern).count() == 1
        assert "open safety alert" not in http.get(f"/clients/{fern.pk}/").content.decode()

    def test_it_refuses_a_closing_by_someone_off_the_team(self, fern: Client, alice: User, bob: User) -> None:
        do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
        alert = Alert.objects.get()
        assert sign_in(bob).post(f"/clients/{fern.pk}/alerts/{alert.pk}/", {"disposition": "x"}).status_code == 404
        assert Alert.objects.get().status == "open"


class TestOtherAlertRules:
    def test_it_raises_a_high_risk_alert_from_the_cssrs(self, fern: Client, alice: User) -> None:
        give_cssrs(fern, alice, "yes", "yes", "no", "yes", "no", "no")
        assert list(Alert.objects.values_list("rule", "needs_cssrs")) == [(AlertRule.CSSRS_HIGH, False)]

    def test_it_raises_high_craving_at_15(self, fern: Client, alice: User) -> None:
        do_record_administration(fern, "PACS", {str(n): 3 for n in range(1, 6)}, acting_user=alice)  # 15
        do_record_administration(fern, "PACS", {"1": 3, "2": 3, "3": 3, "4": 3, "5": 2}, acting_user=alice)  # 14
        assert list(Alert.objects.values_list("rule", flat=True)) == [AlertRule.HIGH_CRAVING]

    def test_it_raises_reliable_deterioration_against_baseline(self, fern: Client, alice: User) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
            do_record_administration(fern, "GAD-7", {str(n): 1 for n in range(1, 8)}, acting_user=alice)  # 7
        with time_machine.travel(dt.datetime(2026, 3, 9, tzinfo=dt.UTC)):
            do_record_administration(
                fern, "GAD-7", {**{str(n): 1 for n in range(1, 8)}, "1": 3, "2": 2}, acting_user=alice
            )  # 10
        assert not Alert.objects.exists()  # a rise of 3 is under the GAD-7 threshold of 4
        with time_machine.travel(dt.datetime(2026, 3, 16, tzinfo=dt.UTC)):
            do_record_administration(
                fern, "GAD-7", {**{str(n): 1 for n in range(1, 8)}, "1": 3, "2": 3}, acting_user=alice
            )  # 11
        alert = Alert.objects.get()
        assert (alert.rule, alert.detail) == (AlertRule.DETERIORATION, "GAD-7 7 → 11")


class TestKeptAsAnswered:
    def test_it_refuses_to_change_or_delete_an_administration_or_to_delete_an_alert(
        self, fern: Client, alice: User
    ) -> None:
        administration = do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
        alert = Alert.objects.get()
        for attempt in (
            lambda: Administration.objects.filter(pk=administration.pk).update(total=0),
            lambda: Administration.objects.filter(pk=administration.pk).delete(),
            lambda: Alert.objects.filter(pk=alert.pk).delete(),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                attempt()
        assert Administration.objects.get().total == 1
        assert Alert.objects.count() == 1

    def test_it_corrects_by_a_new_administration_with_a_reason(self, fern: Client, alice: User) -> None:
        wrong = do_record_administration(fern, "PHQ-9", phq9(3, 3, 3, 3, 3, 3, 3, 3, 0), acting_user=alice)
        with pytest.raises(ValidationError):
            do_record_administration(fern, "PHQ-9", phq9(1, 1, 1, 1, 1, 1, 1, 1, 0), acting_user=alice, corrects=wrong)
        fixed = do_record_administration(
            fern,
            "PHQ-9",
            phq9(1, 1, 1, 1, 1, 1, 1, 1, 0),
            acting_user=alice,
            corrects=wrong,
            correction_reason="Entered the wrong column.",
        )
        assert list(Administration.objects.current()) == [fixed]
        assert Administration.objects.get(pk=wrong.pk).total == 24


def test_it_lists_the_caseload_with_scores_and_alerts_in_constant_queries(
    north: Organization, north_site: Site, alice: User
) -> None:
    http = sign_in(alice)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get("/clients/").status_code == 200
        return len(captured)

    def add_clients(count: int) -> None:
        for _ in range(count):
            client = make_client(north, north_site, primary=alice)
            do_record_administration(client, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
            do_record_administration(client, "GAD-7", {str(n): 1 for n in range(1, 8)}, acting_user=alice)

    add_clients(2)
    few = count_queries()
    add_clients(10)
    assert count_queries() == few


def phq9_total(total: int) -> dict[str, int]:
    """PHQ-9 answers adding up to `total` (at most 24), item 9 kept at 0."""
    values = [min(3, max(0, total - 3 * n)) for n in range(8)] + [0]
    return phq9(*values)


def test_it_keeps_one_open_deterioration_alert_per_instrument(fern: Client, alice: User) -> None:
    # 5, then 12 (a rise of 7: reliable), then 13 (still worse): one alert, not two.
    for week, total in enumerate((5, 12, 13)):
        with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC) + dt.timedelta(weeks=week)):
            do_record_administration(fern, "PHQ-9", phq9_total(total), acting_user=alice)
    assert Administration.objects.filter(total=13).count() == 1
    assert Alert.objects.filter(rule=AlertRule.DETERIORATION).count() == 1


class TestBaselineAndResponse:
    def test_it_reports_phq9_response_and_remission_from_baseline(self, fern: Client, alice: User) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9_total(16), acting_user=alice)
        with time_machine.travel(dt.datetime(2026, 3, 30, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9_total(4), acting_user=alice)
        # 16 → 4: a drop of 75 % (response) to below 5 (remission).
        html = sign_in(alice).get(f"/clients/{fern.pk}/measures/").content.decode()
        assert "response: <strong>yes</strong>" in html
        assert "remission: <strong>yes</strong>" in html

    def test_it_measures_change_from_a_chosen_baseline(self, fern: Client, alice: User, bob: User) -> None:
        results = []
        for week, total in enumerate((20, 8, 12)):
            with time_machine.travel(dt.datetime(2026, 3, 2, tzinfo=dt.UTC) + dt.timedelta(weeks=week)):
                results.append(do_record_administration(fern, "PHQ-9", phq9_total(total), acting_user=alice))
        assert progress(fern, "PHQ-9").change.change == -8  # 20 → 12
        assert sign_in(bob).post(f"/clients/{fern.pk}/measures/{results[1].pk}/baseline/").status_code == 404
        sign_in(alice).post(f"/clients/{fern.pk}/measures/{results[1].pk}/baseline/")
        chosen = progress(fern, "PHQ-9")
        assert (chosen.baseline, chosen.baseline_chosen, chosen.change.change) == (results[1], True, 4)  # 8 → 12
        assert AuditEvent.objects.filter(event_type=EventType.BASELINE_CHOSEN, client=fern).count() == 1
        with time_machine.travel(dt.datetime(2026, 3, 30, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9_total(14), acting_user=alice)  # +6 from the chosen 8
        assert Alert.objects.get().rule == AlertRule.DETERIORATION


class TestClosingRulesFromReview:
    def open_item9_alert(self, fern: Client, alice: User) -> Alert:
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
            do_record_administration(fern, "PHQ-9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 1), acting_user=alice)
        return Alert.objects.get()

    def test_it_does_not_close_with_a_screener_the_client_answered_alone(self, fern: Client, alice: User) -> None:
        alert = self.open_item9_alert(fern, alice)
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC)):
            by_link = do_record_administration(
                fern, "C-SSRS", {"1": "no", "2": "no", "6": "no"}, answered_by="client_link", acting_user=None
            )
        with pytest.raises(ValidationError):
            do_close_alert(alert, disposition="Seen.", cssrs_administration=by_link, acting_user=alice)

    def test_it_does_not_close_with_a_screener_that_was_corrected(self, fern: Client, alice: User) -> None:
        alert = self.open_item9_alert(fern, alice)
        with time_machine.travel(dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC)):
            first = give_cssrs(fern, alice, "no", "no", "no")
            do_record_administration(
                fern,
                "C-SSRS",
                {"1": "yes", "2": "no", "6": "no"},
                acting_user=alice,
                corrects=first,
                correction_reason="Item 1 was yes.",
            )
        with pytest.raises(ValidationError):
            do_close_alert(alert, disposition="Seen.", cssrs_administration=first, acting_user=alice)

    def test_it_makes_the_clinician_complete_the_screener_in_session(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).post(
            f"/clients/{fern.pk}/measures/give/C-SSRS/", {"item_1": "no", "item_2": "no", "item_6": "yes"}
        )
        assert "needed for safety" in str(response.context["form"].errors["item_6a"])
        assert not Administration.objects.exists()

    def test_the_database_keeps_a_closed_alert_and_an_alerts_origin(self, fern: Client, alice: User) -> None:
        alert = self.open_item9_alert(fern, alice)
        with pytest.raises(DatabaseError), transaction.atomic():
            Alert.objects.filter(pk=alert.pk).update(needs_cssrs=False)
        screener = give_cssrs(fern, alice, "no", "no", "no")
        do_close_alert(alert, disposition="Seen.", cssrs_administration=screener, acting_user=alice)
        with pytest.raises(DatabaseError), transaction.atomic():
            Alert.objects.filter(pk=alert.pk).update(disposition="Rewritten later.")
        assert Alert.objects.get().disposition == "Seen."

    def test_it_ignores_a_back_dated_result_for_deterioration(self, fern: Client, alice: User) -> None:
        with time_machine.travel(dt.datetime(2026, 3, 9, tzinfo=dt.UTC)):
            do_record_administration(fern, "GAD-7", {str(n): 0 for n in range(1, 8)}, acting_user=alice)
            do_record_administration(
                fern,
                "GAD-7",
                {str(n): 2 for n in range(1, 8)},
                acting_user=alice,
                administered_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
            )
        assert not Alert.objects.exists()

"""The disclosure gate decides, fails closed, and says why (iptcare/consent/gate.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.clients.actions import do_update_client
from iptcare.clients.models import Client
from iptcare.consent.actions import do_change_consent, do_revoke_consent
from iptcare.consent.gate import Recipient, Refusal, check_disclosure
from tests.consent.conftest import RHEA, TODAY, later, record_single, record_tpo, rhea_recipients, single_values

PLAN = ["treatment_plan"]


def revoke(consent, user: User) -> None:
    do_revoke_consent(consent, {"written_on": TODAY, "revoked_by_name": "Fern Fairweather"}, acting_user=user)


class TestAllowed:
    def test_it_allows_a_disclosure_that_an_active_consent_covers(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        decision = check_disclosure(fern, RHEA, "treatment", ["treatment_plan", "attendance"])
        assert decision.allowed and decision.code == "allowed"
        assert decision.consent == consent

    def test_names_match_without_regard_to_case_or_spacing(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        recipient = Recipient(name="  dr rhea   REYES", organization="valley clinic")
        assert check_disclosure(fern, recipient, "treatment", PLAN).allowed

    def test_a_tpo_consent_covers_a_recipient_of_a_named_class(self, fern: Client, alice: User) -> None:
        record_tpo(fern, alice)
        provider = Recipient(name="Dr Omar Ortiz", organization="Hill Hospital", recipient_class="treating_providers")
        assert check_disclosure(fern, provider, "payment", ["diagnoses"]).allowed

    def test_an_intermediary_passes_records_to_its_named_participants_only(self, fern: Client, alice: User) -> None:
        hie = {
            "kind": "intermediary",
            "name": "State HIE",
            "organization": "",
            "participants": ["Hill Hospital"],
            "participants_are_treating_providers": False,
        }
        record_single(fern, alice, recipients=[hie])
        through = Recipient(name="Dr Omar Ortiz", organization="Hill Hospital", via="State HIE")
        assert check_disclosure(fern, through, "treatment", PLAN).allowed
        other = Recipient(name="Dr Omar Ortiz", organization="Lake Hospital", via="State HIE")
        assert check_disclosure(fern, other, "treatment", PLAN).code == Refusal.RECIPIENT_NOT_COVERED
        # Without saying it goes through the intermediary, the participant is not a recipient of its own.
        direct = Recipient(name="Dr Omar Ortiz", organization="Hill Hospital")
        assert not check_disclosure(fern, direct, "treatment", PLAN).allowed

    def test_a_disclosure_at_a_past_moment_is_judged_as_of_that_moment(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        assert not check_disclosure(fern, RHEA, "treatment", PLAN, at=later(days=-1)).allowed


class TestFailsClosed:
    def test_it_refuses_when_there_is_no_consent(self, fern: Client) -> None:
        decision = check_disclosure(fern, RHEA, "treatment", PLAN)
        assert not decision and decision.code == Refusal.NO_CONSENT
        assert decision.reason == "This client has no consent to disclose on record."

    @pytest.mark.parametrize(
        ("recipient", "purpose", "categories", "detail"),
        [
            (RHEA, "treatment", [], ""),
            (RHEA, "treatment", ["everything"], ""),
            (RHEA, "curiosity", ["treatment_plan"], ""),
            (RHEA, "other", ["treatment_plan"], ""),
            (Recipient(name="  "), "treatment", ["treatment_plan"], ""),
            (Recipient(name="Dr X", recipient_class="friends"), "treatment", ["treatment_plan"], ""),
        ],
    )
    def test_an_unclear_request_is_refused(
        self, fern: Client, alice: User, recipient: Recipient, purpose: str, categories: list[str], detail: str
    ) -> None:
        record_single(fern, alice)
        decision = check_disclosure(fern, recipient, purpose, categories, purpose_detail=detail)
        assert decision.code == Refusal.UNCLEAR_REQUEST and decision.reason

    def test_any_category_not_covered_refuses_the_whole_disclosure(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        decision = check_disclosure(fern, RHEA, "treatment", ["treatment_plan", "measures"])
        assert decision.code == Refusal.CATEGORY_NOT_COVERED
        assert decision.reason == "No consent in effect covers all of this information."
        assert "Questionnaire and measure results" in decision.details[0]

    def test_a_recipient_not_named_is_refused(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        decision = check_disclosure(
            fern, Recipient(name="Dr Rhea Reyes", organization="Lake Clinic"), "treatment", PLAN
        )
        assert decision.code == Refusal.RECIPIENT_NOT_COVERED
        # A class is a TPO consent's alone: claiming one does not widen a single-disclosure consent.
        claimed = Recipient(name="Dr Omar Ortiz", recipient_class="treating_providers")
        assert check_disclosure(fern, claimed, "treatment", PLAN).code == Refusal.RECIPIENT_NOT_COVERED

    def test_a_purpose_not_covered_is_refused(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        assert check_disclosure(fern, RHEA, "payment", PLAN).code == Refusal.PURPOSE_NOT_COVERED

    def test_a_consent_naming_staff_covers_only_those_staff(self, fern: Client, alice: User, cody: User) -> None:
        record_single(fern, alice, discloser_kind="named_staff", named_disclosers=[cody])
        assert check_disclosure(fern, RHEA, "treatment", PLAN, discloser=cody).allowed
        assert check_disclosure(fern, RHEA, "treatment", PLAN, discloser=alice).code == Refusal.DISCLOSER_NOT_NAMED
        assert check_disclosure(fern, RHEA, "treatment", PLAN).code == Refusal.DISCLOSER_NOT_NAMED

    def test_another_clients_consent_covers_nothing(self, fern: Client, alice: User, north, north_site) -> None:
        from tests.conftest import make_client

        other = make_client(north, north_site, primary=alice)
        record_single(other, alice)
        assert check_disclosure(fern, RHEA, "treatment", PLAN).code == Refusal.NO_CONSENT


class TestLegalProceedings:
    def test_legal_proceedings_are_refused_without_a_consent(self, fern: Client) -> None:
        decision = check_disclosure(fern, Recipient(name="County Court"), "legal_proceedings", PLAN)
        assert decision.code == Refusal.LEGAL_WITHOUT_COURT_ORDER

    def test_legal_proceedings_are_refused_when_no_court_order_is_recorded(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        decision = check_disclosure(fern, RHEA, "legal_proceedings", PLAN)
        assert decision.code == Refusal.LEGAL_WITHOUT_COURT_ORDER
        assert decision.reason.startswith("Records are never disclosed for proceedings against the client")

    def test_legal_proceedings_pass_with_a_consent_that_records_the_court_order(
        self, fern: Client, alice: User
    ) -> None:
        court = [{"kind": "organization", "name": "County Court", "organization": "", "participants": []}]
        record_single(
            fern,
            alice,
            recipients=court,
            purposes=["legal_proceedings"],
            court_order_reference="County Court order 2026-CV-0142",
        )
        assert check_disclosure(fern, Recipient(name="County Court"), "legal_proceedings", PLAN).allowed


class TestCounsellingNotes:
    def test_counselling_notes_never_pass_a_tpo_consent(self, fern: Client, alice: User) -> None:
        record_tpo(fern, alice, recipients=rhea_recipients())
        decision = check_disclosure(fern, RHEA, "treatment", ["counselling_notes"])
        assert decision.code == Refusal.COUNSELLING_NOTES_TPO
        provider = Recipient(name="Dr Omar Ortiz", recipient_class="treating_providers")
        assert (
            check_disclosure(fern, provider, "treatment", ["counselling_notes"]).code == Refusal.COUNSELLING_NOTES_TPO
        )

    def test_counselling_notes_pass_their_own_consent_only_alone(self, fern: Client, alice: User) -> None:
        record_single(
            fern,
            alice,
            kind="counselling_notes",
            categories=["counselling_notes"],
            information_description="My counselling notes from Alice",
            acknowledged_statements=["not_conditioned"],
        )
        assert check_disclosure(fern, RHEA, "treatment", ["counselling_notes"]).allowed
        mixed = check_disclosure(fern, RHEA, "treatment", ["counselling_notes", "attendance"])
        assert mixed.code == Refusal.COUNSELLING_NOTES_APART
        # The counselling-notes consent covers nothing else.
        assert check_disclosure(fern, RHEA, "treatment", ["attendance"]).code == Refusal.CATEGORY_NOT_COVERED


class TestInForce:
    def test_a_revoked_consent_refuses(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        revoke(consent, alice)
        decision = check_disclosure(fern, RHEA, "treatment", PLAN)
        assert decision.code == Refusal.REVOKED and decision.consent == consent
        assert decision.reason.startswith("The consent that covered this was revoked on ")

    def test_revocation_works_from_its_time_forward(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        before = timezone.now()
        with time_machine.travel(later(hours=2), tick=False):
            revoke(consent, alice)
            assert check_disclosure(fern, RHEA, "treatment", PLAN).code == Refusal.REVOKED
            # The same question about the time before the revocation still has the answer it had then.
            assert check_disclosure(fern, RHEA, "treatment", PLAN, at=before).allowed

    def test_a_consent_past_its_date_refuses(self, fern: Client, alice: User) -> None:
        record_single(fern, alice, expires_on=dt.date(2026, 3, 31))
        assert check_disclosure(fern, RHEA, "treatment", PLAN, at=later(days=29)).allowed  # 31 March, the last day
        decision = check_disclosure(fern, RHEA, "treatment", PLAN, at=later(days=30))
        assert decision.code == Refusal.EXPIRED
        assert decision.reason.startswith("The consent that covered this expired on ")

    def test_a_consent_ending_with_treatment_expires_at_discharge(self, fern: Client, alice: User) -> None:
        record_single(fern, alice, expiry_kind="end_of_treatment", expires_on=None)
        assert check_disclosure(fern, RHEA, "treatment", PLAN).allowed
        with time_machine.travel(later(days=10), tick=False):
            do_update_client(fern, {"status": "discharged"}, acting_user=alice)
            assert check_disclosure(fern, RHEA, "treatment", PLAN).code == Refusal.EXPIRED

    def test_a_consent_not_yet_in_effect_refuses(self, fern: Client, alice: User) -> None:
        record_single(fern, alice, effective_from=dt.date(2026, 4, 1))
        assert check_disclosure(fern, RHEA, "treatment", PLAN).code == Refusal.NOT_YET_EFFECTIVE
        assert check_disclosure(fern, RHEA, "treatment", PLAN, at=later(days=31)).allowed

    def test_a_superseded_version_no_longer_covers(self, fern: Client, alice: User) -> None:
        first = record_single(fern, alice)
        with time_machine.travel(later(hours=1), tick=False):
            second = do_change_consent(
                first, single_values(categories=["attendance"]), rhea_recipients(), acting_user=alice
            )
            assert check_disclosure(fern, RHEA, "treatment", ["attendance"]).consent == second
            decision = check_disclosure(fern, RHEA, "treatment", PLAN)
            assert decision.code == Refusal.SUPERSEDED and decision.consent == first
            assert check_disclosure(fern, RHEA, "treatment", PLAN, at=later(hours=-1)).consent == first

    def test_an_active_consent_wins_over_a_revoked_one(self, fern: Client, alice: User) -> None:
        old = record_single(fern, alice)
        revoke(old, alice)
        new = record_single(fern, alice)
        assert check_disclosure(fern, RHEA, "treatment", PLAN).consent == new

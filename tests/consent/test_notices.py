"""The notice and the consent summary, word for word (42 CFR §2.32), and the printouts that carry them."""

from __future__ import annotations

from typing import Any

import pytest

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_save_disclosure_settings
from iptcare.consent.models import Disclosure
from iptcare.consent.summary import consent_summary
from iptcare.lib.notices import (
    PART2_LONG_NOTICE,
    PART2_SHORT_NOTICE,
    NoticeForm,
    current_notice,
    notice_by_version,
)
from tests.conftest import sign_in
from tests.consent.conftest import record_single, record_tpo

SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
LONG = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, "
    "the Federal rules prohibit you from making any other use or disclosure of this record unless at least one of "
    "the following applies:\n"
    "(i) Further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2.\n"
    "(ii) You are a covered entity or business associate and have received the record for treatment, payment, or "
    "health care operations, or\n"
    "(iii) You have received the record from a covered entity or business associate as permitted by 45 CFR part "
    "164, subparts A and E.\n"
    "A general authorization for the release of medical or other information is NOT sufficient to meet the "
    "required elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)


class TestNoticeText:
    def test_the_short_notice_is_the_2024_statement_2(self) -> None:
        assert PART2_SHORT_NOTICE == SHORT
        assert current_notice(NoticeForm.SHORT).text == SHORT
        assert notice_by_version("part2-2024-short").text == SHORT

    def test_the_long_notice_is_the_2024_statement_1(self) -> None:
        assert PART2_LONG_NOTICE == LONG
        assert current_notice(NoticeForm.LONG).text == LONG
        assert notice_by_version("part2-2024-long").form == NoticeForm.LONG

    def test_an_unknown_form_gets_the_short_notice_and_an_unknown_version_is_an_error(self) -> None:
        assert current_notice("medium").text == SHORT
        with pytest.raises(KeyError):
            notice_by_version("part2-1987")


class TestConsentSummary:
    def test_it_says_who_may_disclose_what_to_whom_why_and_until_when(self, fern: Client, alice: User) -> None:
        assert consent_summary(record_single(fern, alice)) == (
            "Fern Fairweather consented on 2026-03-02 (signed by Fern Fairweather) to the disclosure by North Clinic "
            "of: Treatment plans (IPT formulation, relapse-prevention and safety plans); Attendance and appointments. "
            "Described as: My relapse-prevention plan and my attendance since January 2026. "
            "Recipients: Dr Rhea Reyes (Valley Clinic). Purposes: Treatment. "
            "In effect from 2026-03-02; expires on 2026-09-01. Single disclosure consent, version 1. "
            "The client may revoke it in writing at any time; a revocation does not undo disclosures already made."
        )

    def test_a_tpo_summary_names_the_classes_a_representative_and_no_expiry(
        self, fern: Client, alice: User, cody: User
    ) -> None:
        consent = record_tpo(
            fern,
            alice,
            signer_kind="representative",
            signer_name="Rosa Fairweather",
            representative_relationship="mother, legal guardian",
            discloser_kind="named_staff",
            named_disclosers=[cody, alice],
            categories=["diagnoses"],
            information_description="My diagnoses.",
        )
        assert consent_summary(consent) == (
            "Fern Fairweather consented on 2026-03-02 (signed by Rosa Fairweather, mother, legal guardian) to the "
            "disclosure by Alice Ashby, Cody Clarke of North Clinic of: Diagnoses and co-occurring conditions. "
            "Described as: My diagnoses. Recipients: My treating providers; My health plans and third-party payers. "
            "Purposes: Treatment; Payment; Health care operations. In effect from 2026-03-02; no expiry; in effect "
            "until revoked. Treatment, payment and health care operations (TPO) consent, version 1. "
            "The client may revoke it in writing at any time; a revocation does not undo disclosures already made."
        )


class TestPrintedDisclosure:
    @pytest.fixture(autouse=True)
    def urls(self, settings: Any) -> None:
        settings.ROOT_URLCONF = "tests.consent.urls"

    def post(self, user: User, client: Client, **fields: Any) -> Any:
        data = {
            "disclose": "1",
            "disclose-recipient_name": "Dr Rhea Reyes",
            "disclose-recipient_organization": "Valley Clinic",
            "disclose-purpose": "treatment",
        } | {f"disclose-{k}": v for k, v in fields.items()}
        return sign_in(user).post(f"/example-print/{client.pk}/", data)

    def test_printing_for_the_record_carries_the_organizations_notice(
        self, fern: Client, alice: User, eve: User
    ) -> None:
        page = sign_in(alice).get(f"/example-print/{fern.pk}/").content.decode()
        assert SHORT in page and "Print for someone outside the program" in page
        do_save_disclosure_settings(fern.organization_id, "long", acting_user=eve)
        page = sign_in(alice).get(f"/example-print/{fern.pk}/").content.decode()
        assert "(i) Further use or disclosure is expressly permitted" in page

    def test_printing_for_a_covered_recipient_records_the_disclosure_and_stamps_it(
        self, fern: Client, alice: User
    ) -> None:
        consent = record_single(fern, alice)
        response = self.post(alice, fern)
        disclosure = Disclosure.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/example-print/{fern.pk}/?disclosure={disclosure.pk}"
        assert disclosure.consent == consent and disclosure.document == "Example plan"
        assert disclosure.channel == "print" and disclosure.categories == ["treatment_plan"]
        page = sign_in(alice).get(response["Location"]).content.decode()
        assert "Disclosed to Dr Rhea Reyes (Valley Clinic) for Treatment" in page
        assert SHORT in page and consent_summary(consent) in page
        assert "Print for someone outside the program" not in page

    def test_printing_for_a_recipient_without_consent_is_refused_with_the_reason(
        self, fern: Client, alice: User
    ) -> None:
        response = self.post(alice, fern)
        assert response.status_code == 200
        assert "This client has no consent to disclose on record." in response.content.decode()
        assert not Disclosure.objects.exists()
        assert AuditEvent.objects.filter(event_type=EventType.DISCLOSURE_REFUSED, client=fern).exists()

    def test_only_the_care_team_discloses(self, fern: Client, alice: User, bob: User, tom: User) -> None:
        record_single(fern, alice)
        assert self.post(bob, fern).status_code == 404  # bob reads Fern's record as supervisor, but may not disclose
        assert self.post(tom, fern).status_code == 404
        assert not Disclosure.objects.exists()

    def test_another_clients_disclosure_is_not_found(self, fern: Client, alice: User, north, north_site) -> None:
        from tests.conftest import make_client

        record_single(fern, alice)
        self.post(alice, fern)
        other = make_client(north, north_site, primary=alice)
        disclosure = Disclosure.objects.get()
        assert sign_in(alice).get(f"/example-print/{other.pk}/?disclosure={disclosure.pk}").status_code == 404

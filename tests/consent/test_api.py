"""/api/v1/consent/: the same rules, access and audit trail as the pages."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_record_disclosure
from iptcare.consent.models import Consent, ConsentRevocation, Disclosure
from tests.conftest import bearer
from tests.consent.conftest import RHEA, later, record_single, record_tpo, rhea_recipients, single_values
from tests.consent.test_elements import api_body
from tests.test_api_clients import call

API = "/api/v1/consent/"


def base(client: Client) -> str:
    return f"{API}clients/{client.pk}/"


CHECK = {
    "recipient_name": "Dr Rhea Reyes",
    "recipient_organization": "Valley Clinic",
    "purpose": "treatment",
    "categories": ["treatment_plan"],
}


class TestConsents:
    def test_it_lists_and_reads_consents_with_status_and_summary(self, fern: Client, alice: User, pia: User) -> None:
        consent = record_single(fern, alice)
        listing = call("GET", f"{base(fern)}consents", pia)
        assert listing.status_code == 200
        body = listing.json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == consent.pk and item["status"] == "active" and item["patient_name"] == "Fern Fairweather"
        assert item["recipients"][0]["name"] == "Dr Rhea Reyes" and item["revocation"] is None
        assert item["summary"].startswith("Fern Fairweather consented on 2026-03-02")
        read = call("GET", f"{base(fern)}consents/{consent.pk}", pia)
        assert read.json() == item
        events = AuditEvent.objects.filter(actor=pia, client=fern, channel="api")
        assert {e.event_type for e in events} == {EventType.CONSENTS_VIEWED, EventType.CONSENT_VIEWED}

    def test_it_records_a_consent(self, fern: Client, alice: User) -> None:
        response = call("POST", f"{base(fern)}consents", alice, api_body(single_values(), rhea_recipients()))
        assert response.status_code == 201, response.content
        consent = Consent.objects.get()
        assert response.json()["id"] == consent.pk and consent.recorded_by == alice
        event = AuditEvent.objects.get(event_type=EventType.CONSENT_RECORDED)
        assert event.channel == "api" and event.client == fern

    def test_unknown_fields_are_refused(self, fern: Client, alice: User) -> None:
        body = api_body(single_values(), rhea_recipients()) | {"status": "active"}
        response = call("POST", f"{base(fern)}consents", alice, body)
        assert response.status_code == 422 and "status" in response.json()["errors"]

    def test_it_records_a_new_version(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        body = api_body(single_values(categories=["attendance"]), rhea_recipients())
        with time_machine.travel(later(minutes=1), tick=False):
            response = call("POST", f"{base(fern)}consents/{consent.pk}/versions", alice, body)
            assert response.status_code == 201
            assert response.json()["version"] == 2 and response.json()["supersedes_id"] == consent.pk
            again = call("POST", f"{base(fern)}consents/{consent.pk}/versions", alice, body)
        assert again.status_code == 422
        assert again.json()["errors"] == {"__all__": ["This version was already replaced: change the current version."]}

    def test_it_revokes_a_consent_in_writing(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        unwritten = call("POST", f"{base(fern)}consents/{consent.pk}/revoke", alice, {"revoked_by_name": "Fern"})
        assert unwritten.status_code == 422
        assert set(unwritten.json()["errors"]) == {"written_on", "in_writing"}
        body = {"written_on": "2026-03-02", "revoked_by_name": "Fern Fairweather", "in_writing": True}
        response = call("POST", f"{base(fern)}consents/{consent.pk}/revoke", alice, body)
        assert response.status_code == 200
        assert response.json()["status"] == "revoked" and response.json()["revocation"]["reason"] == ""
        assert ConsentRevocation.objects.get().consent == consent

    @pytest.mark.parametrize("persona", ["tom", "carol", "dan", "eve"])
    def test_anyone_who_may_not_open_the_record_gets_404(
        self, request: pytest.FixtureRequest, fern: Client, alice: User, persona: str
    ) -> None:
        consent = record_single(fern, alice)
        user = request.getfixturevalue(persona)
        for method, path, body in [
            ("GET", "consents", None),
            ("GET", f"consents/{consent.pk}", None),
            ("POST", "consents", api_body(single_values(), rhea_recipients())),
            (
                "POST",
                f"consents/{consent.pk}/revoke",
                {"written_on": "2026-03-02", "revoked_by_name": "F", "in_writing": True},
            ),
            ("GET", "disclosures", None),
            ("POST", "check", CHECK),
        ]:
            response = call(method, f"{base(fern)}{path}", user, body)
            assert response.status_code == 404, (method, path)
            assert response.json() == {"detail": "Not found."}
        assert Consent.objects.count() == 1 and not ConsentRevocation.objects.exists()

    def test_a_supervisor_reads_but_does_not_record(self, fern: Client, alice: User, bob: User) -> None:
        record_single(fern, alice)
        assert call("GET", f"{base(fern)}consents", bob).status_code == 200
        body = api_body(single_values(), rhea_recipients())
        assert call("POST", f"{base(fern)}consents", bob, body).status_code == 404


class TestDisclosuresAndCheck:
    def test_the_accounting_lists_disclosures_with_their_consent(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        disclosure = do_record_disclosure(
            fern,
            recipient=RHEA,
            purpose="treatment",
            categories=["treatment_plan"],
            document="Relapse-prevention plan, version 1",
            channel="print",
            acting_user=alice,
        )
        body = call("GET", f"{base(fern)}disclosures", alice).json()
        assert body["count"] == 1
        item = body["items"][0]
        assert item["id"] == disclosure.pk and item["consent_id"] == consent.pk and item["consent_version"] == 1
        assert item["disclosed_by"] == "Alice Ashby" and item["notice_version"] == "part2-2024-short"
        assert item["notice_text"] == "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

    def test_the_check_evaluates_the_gate_without_disclosing(self, fern: Client, alice: User) -> None:
        refused = call("POST", f"{base(fern)}check", alice, CHECK).json()
        assert refused == {
            "allowed": False,
            "code": "no_consent",
            "reason": "This client has no consent to disclose on record.",
            "consent_id": None,
            "details": [],
        }
        consent = record_single(fern, alice)
        allowed = call("POST", f"{base(fern)}check", alice, CHECK).json()
        assert allowed["allowed"] and allowed["consent_id"] == consent.pk
        tpo_notes = call("POST", f"{base(fern)}check", alice, CHECK | {"categories": ["counselling_notes"]}).json()
        assert tpo_notes["allowed"] is False
        assert not Disclosure.objects.exists()
        checks = AuditEvent.objects.filter(event_type=EventType.DISCLOSURE_CHECKED, client=fern)
        assert [e.extra["allowed"] for e in checks.order_by("id")] == [False, True, False]

    def test_the_check_reports_counselling_notes_under_a_tpo_consent(self, fern: Client, alice: User) -> None:
        record_tpo(fern, alice, recipients=rhea_recipients())
        body = call("POST", f"{base(fern)}check", alice, CHECK | {"categories": ["counselling_notes"]}).json()
        assert body["code"] == "counselling_notes_tpo"

    def test_a_check_without_a_purpose_or_information_is_invalid(self, fern: Client, alice: User) -> None:
        response = call("POST", f"{base(fern)}check", alice, {"recipient_name": "Dr Rhea Reyes"})
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"purpose", "categories"}


class TestSettings:
    def test_staff_read_the_notice_and_only_admins_change_it(self, alice: User, eve: User) -> None:
        assert call("GET", f"{API}settings", alice).json()["notice_version"] == "part2-2024-short"
        assert call("PUT", f"{API}settings", alice, {"notice_form": "long"}).status_code == 403
        response = call("PUT", f"{API}settings", eve, {"notice_form": "long"})
        assert response.status_code == 200 and response.json()["notice_version"] == "part2-2024-long"
        assert call("PUT", f"{API}settings", eve, {"notice_form": "medium"}).status_code == 422

    def test_settings_belong_to_one_organization(self, eve: User, sam: User) -> None:
        call("PUT", f"{API}settings", eve, {"notice_form": "long"})
        assert call("GET", f"{API}settings", sam).json()["notice_form"] == "short"


def test_the_list_api_runs_the_same_queries_with_few_or_many_consents(
    fern: Client, alice: User, django_assert_num_queries: Any
) -> None:
    headers = bearer(alice)
    record_single(fern, alice)
    http = HttpClient()
    http.get(f"{base(fern)}consents", **headers)  # the token's first use is written once
    with CaptureQueriesContext(connection) as few:
        http.get(f"{base(fern)}consents", **headers)
    for _number in range(5):
        record_tpo(fern, alice, recipients=rhea_recipients())
    with django_assert_num_queries(len(few.captured_queries)):
        assert http.get(f"{base(fern)}consents", **headers).json()["count"] == 6

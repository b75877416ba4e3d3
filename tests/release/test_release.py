"""Records leave the program by export or by an outside recipient's API token only through the gate, stamped with
the notice and the consent summary, and recorded in the accounting of disclosures (issue 7, part 2)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_revoke_consent
from iptcare.consent.models import Disclosure
from iptcare.release.models import RecipientToken
from tests.conftest import bearer, confirm_password
from tests.conftest import sign_in as sign_in_only
from tests.consent.conftest import NOW, record_single, record_tpo

pytestmark = pytest.mark.django_db
SHORT_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."

EXPORT = {
    "export-recipient_name": "Dr Rhea Reyes",
    "export-recipient_organization": "Valley Clinic",
    "export-purpose": "treatment",
    "export-categories": ["attendance", "treatment_plan"],
    "export-file_format": "json",
}
TOKEN_IN = {
    "recipient_name": "Dr Rhea Reyes",
    "recipient_organization": "Valley Clinic",
    "purpose": "treatment",
    "categories": ["attendance"],
    "valid_days": 7,
}


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sign_in(user: User) -> HttpClient:
    """Signed in, with the password confirmed a moment ago (releasing records asks for it)."""
    return confirm_password(sign_in_only(user))


def url(client: Client, page: str = "") -> str:
    return f"/clients/{client.pk}/release/{page}"


class TestExport:
    def test_without_consent_nothing_leaves_and_the_refusal_is_audited(self, fern: Client, alice: User) -> None:
        response = sign_in(alice).post(url(fern), EXPORT)
        assert response.status_code == 200
        assert "This client has no consent to disclose on record." in response.content.decode()
        assert not Disclosure.objects.exists()
        assert AuditEvent.objects.filter(event_type=EventType.DISCLOSURE_REFUSED, client=fern).count() == 1

    def test_a_covering_consent_lets_the_json_file_out_stamped_and_recorded(self, fern: Client, alice: User) -> None:
        fern.phone = "555-0142"
        fern.save()
        record_single(fern, alice)
        response = sign_in(alice).post(url(fern), EXPORT)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        document = json.loads(response.content)
        disclosure = Disclosure.objects.get()
        assert document["notice"] == SHORT_NOTICE
        assert document["consent_summary"] == disclosure.consent_summary
        assert [label["code"] for label in document["meta"]["security"]] == ["42CFRPart2", "ETH", "R"]
        assert set(document["records"]) == {"treatment_plan", "attendance"}
        assert "555-0142" not in response.content.decode()  # demographics were not asked for
        assert disclosure.channel == Disclosure.Channel.DOWNLOAD
        assert disclosure.categories == ["attendance", "treatment_plan"]
        assert AuditEvent.objects.filter(event_type=EventType.RECORDS_EXPORTED, client=fern, actor=alice).exists()

    def test_the_printable_page_carries_the_notice_twice_and_the_summary(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        page = sign_in(alice).post(url(fern), EXPORT | {"export-file_format": "html"}).content.decode()
        assert page.count(SHORT_NOTICE) == 2
        assert "Disclosed to Dr Rhea Reyes (Valley Clinic) for Treatment" in page
        assert Disclosure.objects.get().channel == Disclosure.Channel.PRINT

    def test_information_outside_the_consent_is_refused(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        page = sign_in(alice).post(url(fern), EXPORT | {"export-categories": ["demographics"]}).content.decode()
        assert "No consent in effect covers all of this information." in page
        assert not Disclosure.objects.exists()

    def test_a_revoked_consent_refuses(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        do_revoke_consent(consent, {"written_on": NOW.date(), "revoked_by_name": "Fern Fairweather"}, acting_user=alice)
        sign_in(alice).post(url(fern), EXPORT)
        assert not Disclosure.objects.exists()

    def test_an_expired_consent_refuses(self, fern: Client, alice: User, frozen_clock) -> None:
        record_single(fern, alice, expires_on=dt.date(2026, 4, 1))
        frozen_clock.move_to(dt.datetime(2026, 4, 2, 10, 0, tzinfo=dt.UTC))
        sign_in(alice).post(url(fern), EXPORT)
        assert not Disclosure.objects.exists()

    def test_counselling_notes_cannot_even_be_asked_for(self, fern: Client, alice: User) -> None:
        page = sign_in(alice).post(url(fern), EXPORT | {"export-categories": ["counselling_notes"]}).content.decode()
        assert "Select a valid choice" in page
        assert not Disclosure.objects.exists()

    def test_only_the_care_team_releases(self, fern: Client, bob: User, tom: User, eve: User, carol: User) -> None:
        for person in (bob, tom, eve, carol):
            assert sign_in(person).get(url(fern)).status_code == 404
            assert sign_in(person).post(url(fern), EXPORT).status_code == 404

    def test_the_api_export_is_gated_the_same_way(self, fern: Client, alice: User) -> None:
        api = HttpClient(**bearer(alice))
        body = {k.removeprefix("export-"): v for k, v in EXPORT.items()}
        endpoint = f"/api/v1/release/clients/{fern.pk}/exports"
        refused = api.post(endpoint, body, content_type="application/json")
        assert refused.status_code == 403 and "no consent" in refused.json()["detail"]
        record_single(fern, alice)
        allowed = api.post(endpoint, body, content_type="application/json")
        assert allowed.status_code == 200
        assert allowed.json()["notice"] == SHORT_NOTICE
        assert Disclosure.objects.get().pk == allowed.json()["disclosure"]["id"]
        invalid = api.post(endpoint, body | {"categories": ["counselling_notes"]}, content_type="application/json")
        assert invalid.status_code == 422


class TestRecipientTokens:
    def issue(self, fern: Client, alice: User) -> str:
        response = HttpClient(**bearer(alice)).post(
            f"/api/v1/release/clients/{fern.pk}/tokens", TOKEN_IN, content_type="application/json"
        )
        assert response.status_code == 201, response.content
        return response.json()["token"]

    def read(self, raw: str) -> object:
        return HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/release/records")

    def test_no_token_is_issued_without_a_covering_consent(self, fern: Client, alice: User) -> None:
        response = HttpClient(**bearer(alice)).post(
            f"/api/v1/release/clients/{fern.pk}/tokens", TOKEN_IN, content_type="application/json"
        )
        assert response.status_code == 403
        assert not RecipientToken.objects.exists()

    def test_each_read_is_gated_recorded_and_stamped(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        raw = self.issue(fern, alice)
        assert RecipientToken.objects.get().token_digest != raw  # only a digest is kept
        first = self.read(raw)
        assert first.status_code == 200
        assert first.json()["notice"] == SHORT_NOTICE
        assert set(first.json()["records"]) == {"attendance"}
        assert self.read(raw).status_code == 200
        disclosures = Disclosure.objects.filter(channel=Disclosure.Channel.API)
        assert disclosures.count() == 2
        assert AuditEvent.objects.filter(event_type=EventType.RECORDS_EXPORTED, actor=None, client=fern).count() == 2

    def test_revoking_the_consent_stops_the_token(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        raw = self.issue(fern, alice)
        do_revoke_consent(consent, {"written_on": NOW.date(), "revoked_by_name": "Fern Fairweather"}, acting_user=alice)
        response = self.read(raw)
        assert response.status_code == 403
        assert not Disclosure.objects.exists()

    def test_a_revoked_or_expired_token_is_refused(self, fern: Client, alice: User, frozen_clock) -> None:
        record_single(fern, alice)
        raw = self.issue(fern, alice)
        frozen_clock.move_to(NOW + dt.timedelta(days=8))
        assert self.read(raw).status_code == 401
        frozen_clock.move_to(NOW)
        token = RecipientToken.objects.get()
        http = sign_in(alice)
        assert http.get(url(fern, f"tokens/{token.pk}/revoke/")).status_code == 200  # asks first
        http.post(url(fern, f"tokens/{token.pk}/revoke/"))
        assert self.read(raw).status_code == 401
        assert AuditEvent.objects.filter(event_type=EventType.RECIPIENT_TOKEN_REVOKED, actor=alice).exists()

    def test_staff_tokens_never_read_the_recipients_endpoint(self, fern: Client, alice: User) -> None:
        record_single(fern, alice)
        assert HttpClient(**bearer(alice)).get("/api/v1/release/records").status_code == 401
        assert HttpClient(HTTP_AUTHORIZATION="Bearer rcp_guess").get("/api/v1/release/records").status_code == 401

    def test_the_token_is_shown_once_on_the_page(self, fern: Client, alice: User) -> None:
        record_tpo(fern, alice)
        form = {f"token-{k}": v for k, v in TOKEN_IN.items()} | {"token-recipient_class": "treating_providers"}
        page = sign_in(alice).post(url(fern, "tokens/"), form).content.decode()
        token = RecipientToken.objects.get()
        assert token.token_hint in page and "rcp_" in page
        listing = sign_in(alice).get(url(fern)).content.decode()
        assert token.token_hint in listing
        assert RecipientToken.objects.get().token_digest not in listing

    def test_the_release_page_asks_for_the_password_first(self, fern: Client, alice: User) -> None:
        response = sign_in_only(alice).get(url(fern))
        assert response.status_code == 302 and "/confirm-password/" in response["Location"]
        assert sign_in_only(alice).post(url(fern), EXPORT).status_code == 302
        assert not Disclosure.objects.exists()

    def test_the_token_list_is_a_constant_number_of_queries(
        self, fern: Client, alice: User, django_assert_num_queries
    ) -> None:
        record_single(fern, alice)
        http = sign_in(alice)
        http.get(url(fern))
        for _ in range(2):
            self.issue(fern, alice)
        with CaptureQueriesContext(connection) as few:
            http.get(url(fern))
        few_count = len(few.captured_queries)  # now: the next requests reset the connection's query log
        for _ in range(6):
            self.issue(fern, alice)
        RecipientToken.objects.filter(pk=RecipientToken.objects.first().pk).update(revoked_by=alice)
        with django_assert_num_queries(few_count):
            http.get(url(fern))

"""The consent pages: who may read and record, what each page shows, what it audits, and how many queries it runs."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.consent.actions import do_record_disclosure
from iptcare.consent.models import Consent, ConsentRevocation, Disclosure, DisclosureSettings
from tests.conftest import confirm_password, make_client, sign_in
from tests.consent.conftest import RHEA, later, record_single, record_tpo, rhea_recipients, single_values
from tests.consent.test_elements import page_data


def url(client: Client, rest: str = "") -> str:
    return f"/clients/{client.pk}/consents/{rest}"


def disclose(client: Client, user: User, document: str = "Relapse-prevention plan, version 1") -> Disclosure:
    return do_record_disclosure(
        client,
        recipient=RHEA,
        purpose="treatment",
        categories=["treatment_plan"],
        document=document,
        channel="print",
        acting_user=user,
    )


def read_pages(client: Client, consent: Consent) -> list[str]:
    return [
        url(client),
        url(client, "disclosures/"),
        url(client, f"{consent.pk}/"),
        url(client, f"{consent.pk}/print/"),
    ]


class TestAccess:
    @pytest.mark.parametrize("persona", ["alice", "cody", "pia", "dora", "bob"])
    def test_anyone_who_may_open_the_record_reads_the_consents(
        self, request: pytest.FixtureRequest, fern: Client, alice: User, persona: str
    ) -> None:
        consent = record_single(fern, alice)
        http = sign_in(request.getfixturevalue(persona))
        for page in read_pages(fern, consent):
            assert http.get(page).status_code == 200, page

    @pytest.mark.parametrize("persona", ["tom", "carol", "dan", "eve"])
    def test_anyone_else_gets_404_and_the_refusal_is_audited(
        self, request: pytest.FixtureRequest, fern: Client, alice: User, persona: str
    ) -> None:
        consent = record_single(fern, alice)
        user = request.getfixturevalue(persona)
        http = confirm_password(sign_in(user))
        pages = [*read_pages(fern, consent), url(fern, "new/"), url(fern, f"{consent.pk}/revoke/")]
        for page in pages:
            assert http.get(page).status_code == 404, page
        refusals = AuditEvent.objects.filter(event_type=EventType.CLIENT_ACCESS_REFUSED, actor=user)
        assert refusals.count() == len(pages)
        # Another organization's refusals never link North's client.
        assert all(event.client_id is None for event in refusals) == (persona == "carol")

    def test_a_physician_on_the_team_records_a_consent(self, fern: Client, pia: User) -> None:
        response = sign_in(pia).post(url(fern, "new/"), page_data(single_values(), rhea_recipients()))
        assert response.status_code == 302 and Consent.objects.get().recorded_by == pia

    def test_a_supervisor_reads_but_does_not_record_or_revoke(self, fern: Client, alice: User, bob: User) -> None:
        consent = record_single(fern, alice)
        http = confirm_password(sign_in(bob))
        assert "Record a consent" not in http.get(url(fern)).content.decode()
        assert http.post(url(fern, "new/"), page_data(single_values(), rhea_recipients())).status_code == 404
        revocation = {"written_on": "2026-03-02", "revoked_by_name": "Fern Fairweather", "in_writing": "on"}
        assert http.post(url(fern, f"{consent.pk}/revoke/"), revocation).status_code == 404
        assert http.get(url(fern, f"{consent.pk}/change/")).status_code == 404
        assert Consent.objects.count() == 1 and not ConsentRevocation.objects.exists()

    def test_a_consent_of_another_client_is_not_found(self, fern: Client, alice: User, north, north_site) -> None:
        other = make_client(north, north_site, primary=alice)
        consent = record_single(other, alice)
        assert sign_in(alice).get(url(fern, f"{consent.pk}/")).status_code == 404


class TestPages:
    def test_the_list_shows_every_version_with_its_status(self, fern: Client, alice: User) -> None:
        from iptcare.consent.actions import do_change_consent, do_revoke_consent

        expired = record_single(fern, alice, expires_on=later(days=1).date())
        revoked = record_tpo(fern, alice)
        do_revoke_consent(revoked, {"written_on": revoked.signed_on, "revoked_by_name": "Fern"}, acting_user=alice)
        first = record_single(fern, alice, information_description="First wording")
        do_change_consent(
            first, single_values(information_description="Second wording"), rhea_recipients(), acting_user=alice
        )
        with time_machine.travel(later(days=3), tick=False):
            response = sign_in(alice).get(url(fern))
        statuses = {consent.pk: status.status for consent, status in response.context["rows"]}
        assert statuses[expired.pk] == "expired" and statuses[revoked.pk] == "revoked"
        assert statuses[first.pk] == "superseded"
        assert sorted(statuses.values()) == ["active", "expired", "revoked", "superseded"]
        page = response.content.decode()
        assert "consent-status-superseded" in page and "Accounting of disclosures (0 disclosures)" in page
        assert AuditEvent.objects.filter(event_type=EventType.CONSENTS_VIEWED, actor=alice, client=fern).exists()

    def test_the_accounting_lists_disclosures_newest_first_with_their_consent(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        disclose(fern, alice, "First printout")
        with time_machine.travel(later(hours=1), tick=False):
            disclose(fern, alice, "Second printout")
            response = sign_in(alice).get(url(fern, "disclosures/"))
        rows = list(response.context["page"].object_list)
        assert [d.document for d in rows] == ["Second printout", "First printout"]
        assert all(d.consent == consent for d in rows)
        page = response.content.decode()
        assert page.index("Second printout") < page.index("First printout")
        assert f'href="/clients/{fern.pk}/consents/{consent.pk}/"' in page and "Dr Rhea Reyes (Valley Clinic)" in page
        assert AuditEvent.objects.filter(event_type=EventType.DISCLOSURES_VIEWED, actor=alice).exists()

    def test_the_detail_page_shows_every_element_and_the_summary(self, fern: Client, alice: User) -> None:
        consent = record_tpo(fern, alice)
        response = sign_in(alice).get(url(fern, f"{consent.pk}/"))
        page = response.content.decode()
        for text in (
            "Fern Fairweather",
            "North Clinic",
            "My treating providers",
            "Health care operations",
            "None (until revoked; TPO consents only)",
            "You may revoke this consent at any time, in writing",
            "may no longer be protected by 42 CFR part 2",
            "Fern Fairweather consented on 2026-03-02",
        ):
            assert text in page, text
        event = AuditEvent.objects.get(event_type=EventType.CONSENT_VIEWED)
        assert event.object_id == str(consent.pk)

    def test_the_printed_form_has_the_same_content_and_the_notice(self, fern: Client, alice: User) -> None:
        consent = record_tpo(fern, alice)
        detail = sign_in(alice).get(url(fern, f"{consent.pk}/")).content.decode()
        printed = sign_in(alice).get(url(fern, f"{consent.pk}/print/")).content.decode()
        start = detail.index('<dl class="details consent-elements">')
        elements = detail[start : detail.index("</dl>", start)]
        assert elements in printed
        assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in printed
        assert AuditEvent.objects.filter(event_type=EventType.CONSENT_PRINTED, object_id=str(consent.pk)).exists()

    def test_a_change_records_a_new_version_signed_again(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        http = sign_in(alice)
        form = http.get(url(fern, f"{consent.pk}/change/")).context["form"]
        assert form.initial["information_description"] == consent.information_description
        assert "signer_name" not in form.initial
        values = single_values(information_description="Only my plan", categories=["treatment_plan"])
        with time_machine.travel(later(minutes=1), tick=False):
            response = http.post(url(fern, f"{consent.pk}/change/"), page_data(values, rhea_recipients()))
        new = Consent.objects.get(version=2)
        assert response["Location"] == url(fern, f"{new.pk}/")
        assert new.supersedes == consent and new.information_description == "Only my plan"
        assert Consent.objects.get(pk=consent.pk).superseded_at is not None
        # The old version cannot be changed again.
        assert http.get(url(fern, f"{consent.pk}/change/")).status_code == 302

    def test_a_revocation_is_recorded_in_writing_and_dated(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        http = confirm_password(sign_in(alice))
        missing = http.post(url(fern, f"{consent.pk}/revoke/"), {})
        assert missing.context["form"].errors == {
            "written_on": ["Enter the date of the written revocation."],
            "revoked_by_name": ["Type the name of the person revoking the consent."],
            "in_writing": ["A revocation is made in writing: confirm that it is."],
        }
        data = {"written_on": "2026-03-02", "revoked_by_name": "Fern Fairweather", "in_writing": "on"}
        response = http.post(url(fern, f"{consent.pk}/revoke/"), data)
        assert response.status_code == 302
        revocation = ConsentRevocation.objects.get()
        assert revocation.reason == "" and revocation.recorded_by == alice
        assert Consent.objects.filter(pk=consent.pk).exists()  # revocations never delete
        assert "Revoked in writing by Fern Fairweather" in http.get(url(fern, f"{consent.pk}/")).content.decode()

    def test_a_revocation_is_not_dated_in_the_future(self, fern: Client, alice: User) -> None:
        consent = record_single(fern, alice)
        data = {"written_on": "2026-03-05", "revoked_by_name": "Fern Fairweather", "in_writing": "on"}
        response = confirm_password(sign_in(alice)).post(url(fern, f"{consent.pk}/revoke/"), data)
        assert response.context["form"].errors == {"written_on": ["The date cannot be in the future."]}


class TestSettingsPage:
    def test_the_admin_chooses_the_long_notice(self, eve: User) -> None:
        http = sign_in(eve)
        page = http.get("/manage/disclosures/").content.decode()
        assert "(i) Further use or disclosure" in page and "part2-2024-short" in page
        assert http.post("/manage/disclosures/", {"notice_form": "long"}).status_code == 302
        assert DisclosureSettings.for_organization(eve.organization_id).notice_form == "long"

    @pytest.mark.parametrize("persona", ["alice", "dan"])
    def test_nobody_else_may(self, request: pytest.FixtureRequest, persona: str) -> None:
        user = request.getfixturevalue(persona)
        assert sign_in(user).post("/manage/disclosures/", {"notice_form": "long"}).status_code == 403
        assert DisclosureSettings.for_organization(user.organization_id).notice_form == "short"


class TestQueryCounts:
    def _measure(self, http: Any, page: str) -> int:
        http.get(page)  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            assert http.get(page).status_code == 200
        return len(queries.captured_queries)

    def test_the_consents_page_runs_the_same_queries_with_few_or_many_consents(
        self, fern: Client, alice: User, cody: User, django_assert_num_queries: Any
    ) -> None:
        http = sign_in(alice)
        record_single(fern, alice, discloser_kind="named_staff", named_disclosers=[cody])
        few = self._measure(http, url(fern))
        for number in range(6):
            consent = record_single(fern, alice, discloser_kind="named_staff", named_disclosers=[cody, alice])
            if number % 2:
                from iptcare.consent.actions import do_revoke_consent

                do_revoke_consent(consent, {"written_on": consent.signed_on, "revoked_by_name": "F"}, acting_user=alice)
        record_tpo(fern, alice)
        with django_assert_num_queries(few):
            page = http.get(url(fern))
        assert len(page.context["rows"]) == 8

    def test_the_accounting_runs_the_same_queries_with_few_or_many_disclosures(
        self, fern: Client, alice: User, django_assert_num_queries: Any
    ) -> None:
        http = sign_in(alice)
        record_single(fern, alice)
        disclose(fern, alice)
        few = self._measure(http, url(fern, "disclosures/"))
        record_tpo(fern, alice, recipients=rhea_recipients())
        for _number in range(12):
            disclose(fern, alice)
        with django_assert_num_queries(few):
            page = http.get(url(fern, "disclosures/"))
        assert len(page.context["page"].object_list) == 13

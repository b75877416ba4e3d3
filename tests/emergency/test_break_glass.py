"""Breaking the glass through the pages: who may, the two steps, and every refusal (audited)."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from iptcare.accounts.models import Membership, Organization, Role, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess
from tests.conftest import make_staff, sign_in
from tests.emergency.conftest import JUSTIFICATION, break_glass, form_data, make_grant

pytestmark = pytest.mark.django_db


def refusals(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, event_type=EventType.EMERGENCY_ACCESS_REFUSED))


class TestWhoMay:
    @pytest.mark.parametrize("who", ["tom", "cal", "phil", "sue", "dan"])
    def test_each_eligible_role_opens_the_record(self, who: str, fern: Client, request: Any) -> None:
        user = request.getfixturevalue(who)
        http = sign_in(user)
        assert http.get(f"/clients/{fern.pk}/").status_code == 404
        response = break_glass(http)
        assert response.status_code == 302
        assert response["Location"] == f"/clients/{fern.pk}/"
        grant = EmergencyAccess.objects.get(user=user)
        assert (grant.client, grant.reason, grant.justification) == (fern, "crisis", JUSTIFICATION)
        assert grant.is_active
        page = http.get(f"/clients/{fern.pk}/")
        assert page.status_code == 200
        assert "Fairweather" in page.content.decode()

    def test_the_header_links_to_it_for_clinicians_and_the_queue_for_admins(
        self, tom: User, dan: User, eve: User
    ) -> None:
        assert 'href="/emergency/"' in sign_in(tom).get("/clients/").content.decode()
        assert 'href="/emergency/"' in sign_in(dan).get("/clients/").content.decode()
        admin_page = sign_in(eve).get("/clients/").content.decode()
        assert 'href="/emergency/"' not in admin_page
        assert 'href="/manage/emergency-access/"' in admin_page

    def test_an_admin_is_refused_and_the_attempt_is_audited(self, eve: User, fern: Client) -> None:
        http = sign_in(eve)
        assert http.get("/emergency/").status_code == 403
        assert break_glass(http).status_code == 403
        assert not EmergencyAccess.objects.exists()
        [event] = refusals(eve)
        assert event.extra["why"] == "role"
        assert http.get(f"/clients/{fern.pk}/").status_code == 404

    def test_an_admin_who_is_also_a_clinician_is_refused(self, tom: User, fern: Client) -> None:
        Membership.objects.create(user=tom, role=Role.ADMIN)
        TOTPDevice.objects.create(user=tom, name="phone", confirmed=True)
        assert break_glass(sign_in(tom)).status_code == 403
        assert not EmergencyAccess.objects.exists()

    def test_another_organization_never_finds_the_client(self, carol: User, fern: Client) -> None:
        http = sign_in(carol)
        response = break_glass(http, identifier=fern.identifier)
        assert response.status_code == 200
        assert "No client of your organization has this identifier" in response.content.decode()
        assert not EmergencyAccess.objects.exists()
        [event] = refusals(carol)
        assert (event.extra["why"], event.client_id, event.organization_id) == (
            "unknown_client",
            None,
            carol.organization_id,
        )
        assert http.get(f"/clients/{fern.pk}/").status_code == 404

    def test_an_inactive_account_cannot(self, tom: User, fern: Client) -> None:
        http = sign_in(tom)
        tom.is_active = False
        tom.save()
        break_glass(http)
        assert not EmergencyAccess.objects.exists()


class TestTheForm:
    def test_checking_asks_for_confirmation_and_opens_nothing(self, tom: User, fern: Client) -> None:
        http = sign_in(tom)
        response = http.post("/emergency/", {**form_data(), "action": "check"})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Confirm emergency access" in body
        assert "read only" in body and "recorded" in body and "reviews it" in body
        assert "4 hours" in body
        assert "Fairweather" not in body  # nothing of the record before the access is granted
        assert not EmergencyAccess.objects.exists()
        assert http.get(f"/clients/{fern.pk}/").status_code == 404

    def test_change_what_i_wrote_goes_back_to_the_filled_form(self, tom: User, fern: Client) -> None:
        response = sign_in(tom).post("/emergency/", {**form_data(), "action": "edit"})
        body = response.content.decode()
        assert 'value="N-0001"' in body and JUSTIFICATION in body
        assert not EmergencyAccess.objects.exists()

    def test_the_identifier_ignores_capitals_and_spaces(self, tom: User, fern: Client) -> None:
        assert break_glass(sign_in(tom), identifier="  n-0001 ").status_code == 302
        assert EmergencyAccess.objects.get().client == fern

    def test_unknown_identifier_is_a_form_error_and_audited(self, tom: User, fern: Client) -> None:
        response = break_glass(sign_in(tom), identifier="N-9999")
        assert "No client of your organization has this identifier" in response.content.decode()
        assert not EmergencyAccess.objects.exists()
        [event] = refusals(tom)
        assert event.extra == {"why": "unknown_client", "identifier": "N-9999"}

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"justification": ""}, "justification", "Say why you need this record now."),
            ({"justification": "urgent please"}, "justification", "at least 20 characters"),
            ({"justification": "a        b        c         d"}, "justification", "at least 20 characters"),
            ({"reason": ""}, "reason", "Choose the reason for the emergency access."),
            ({"reason": "curious"}, "reason", "Choose one of the reasons listed."),
            ({"identifier": ""}, "identifier", "Enter the client&#x27;s identifier."),
        ],
    )
    def test_each_missing_field_has_its_own_error(
        self, tom: User, fern: Client, changes: dict, field: str, message: str
    ) -> None:
        response = break_glass(sign_in(tom), **changes)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert f'id="id_{field}_error"' in response.content.decode()
        assert not EmergencyAccess.objects.exists()


class TestNoGrantNeeded:
    @pytest.mark.parametrize("who", ["alice", "bob"])
    def test_who_can_open_the_record_goes_straight_to_it(self, who: str, fern: Client, request: Any) -> None:
        user = request.getfixturevalue(who)
        response = break_glass(sign_in(user))
        assert response["Location"] == f"/clients/{fern.pk}/"
        assert not EmergencyAccess.objects.exists()
        assert not AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_GRANTED).exists()

    def test_an_open_access_is_not_opened_twice(self, tom: User, fern: Client) -> None:
        http = sign_in(tom)
        break_glass(http)
        response = break_glass(http)
        assert response["Location"] == f"/clients/{fern.pk}/"
        assert EmergencyAccess.objects.count() == 1


class TestAudit:
    def test_the_grant_is_audited_with_its_reason(self, tom: User, fern: Client) -> None:
        break_glass(sign_in(tom))
        grant = EmergencyAccess.objects.get()
        event = AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_GRANTED)
        assert (event.actor, event.client, event.object_id) == (tom, fern, str(grant.pk))
        assert event.reason.startswith("Client in crisis and the care team cannot be reached: ")
        assert JUSTIFICATION in event.reason
        assert event.extra["duration_minutes"] == 240

    def test_reads_during_the_access_are_audited_as_usual(self, tom: User, fern: Client) -> None:
        http = sign_in(tom)
        break_glass(http)
        http.get(f"/clients/{fern.pk}/")
        assert AuditEvent.objects.filter(actor=tom, client=fern, event_type=EventType.CLIENT_VIEWED).count() == 1


def test_own_accesses_are_listed_on_the_page(tom: User, fern: Client, north: Organization) -> None:
    other = make_staff(north, "x@north.test", "Xena", Role.THERAPIST)
    make_grant(tom, fern)
    make_grant(other, fern, justification="Someone else's access, not for Tom to see at all.")
    body = sign_in(tom).get("/emergency/").content.decode()
    assert "Your emergency accesses" in body
    assert "N-0001" in body
    assert "Someone else" not in body

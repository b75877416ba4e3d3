"""The admins' review queue, the review itself, and the duration setting."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import Organization, Role, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess, EmergencyAccessSettings
from tests.conftest import make_client, make_staff, sign_in
from tests.emergency.conftest import make_grant

pytestmark = pytest.mark.django_db

QUEUE = "/manage/emergency-access/"


def ended(user: User, client: Client, *, days_ago: float = 1, **fields: Any) -> EmergencyAccess:
    return make_grant(user, client, started=timezone.now() - dt.timedelta(days=days_ago), **fields)


def review_data(grant: EmergencyAccess, outcome: str, note: str = "") -> dict[str, str]:
    return {f"review-{grant.pk}-outcome": outcome, f"review-{grant.pk}-note": note}


class TestQueue:
    @pytest.mark.parametrize("who", ["alice", "tom", "dan", "bob", "dora"])
    def test_only_admins(self, who: str, request: Any) -> None:
        http = sign_in(request.getfixturevalue(who))
        assert http.get(QUEUE).status_code == 403
        assert http.get(QUEUE + "settings/").status_code == 403

    def test_lists_unreviewed_first_with_what_a_reviewer_needs(
        self, tom: User, dan: User, eve: User, fern: Client
    ) -> None:
        old_reviewed = ended(
            dan, fern, days_ago=1, reviewed_at=timezone.now(), reviewed_by=eve, review_outcome="appropriate"
        )
        older_open = ended(tom, fern, days_ago=3, reason="on_call")
        body = sign_in(eve).get(QUEUE).content.decode()
        assert body.index(f"/emergency/{older_open.pk}/") < body.index(f"/emergency/{old_reviewed.pk}/")
        assert "Tom Tran" in body and "N-0001" in body and "On-call cover" in body and "4 hours" in body
        assert f'action="/manage/emergency-access/{older_open.pk}/review/"' in body
        assert f'action="/manage/emergency-access/{old_reviewed.pk}/review/"' not in body

    def test_filters(self, tom: User, dan: User, eve: User, fern: Client) -> None:
        reviewed = ended(dan, fern, reviewed_at=timezone.now(), reviewed_by=eve, review_outcome="appropriate")
        open_one = ended(tom, fern)
        http = sign_in(eve)
        unreviewed_page = http.get(QUEUE + "?status=unreviewed").content.decode()
        assert f"/emergency/{open_one.pk}/" in unreviewed_page and f"/emergency/{reviewed.pk}/" not in unreviewed_page
        reviewed_page = http.get(QUEUE + "?status=reviewed").content.decode()
        assert f"/emergency/{reviewed.pk}/" in reviewed_page and f"/emergency/{open_one.pk}/" not in reviewed_page

    def test_other_organizations_are_not_listed(
        self, tom: User, fern: Client, sam: User, south: Organization, south_site: Site, carol: User
    ) -> None:
        ended(tom, fern)
        theirs = ended(carol, make_client(south, south_site, identifier="S-0001"))
        body = sign_in(sam).get(QUEUE).content.decode()
        assert "N-0001" not in body and f"/emergency/{theirs.pk}/" in body

    def test_the_audit_link_filters_to_the_person_the_client_and_the_days(
        self, tom: User, eve: User, fern: Client
    ) -> None:
        grant = ended(tom, fern, days_ago=2)
        body = sign_in(eve).get(QUEUE).content.decode()
        start = body.index("/manage/audit/?")
        link = body[start : body.index('"', start)].replace("&amp;", "&")
        query = parse_qs(urlparse(link).query)
        day = timezone.localtime(grant.started_at).date().isoformat()
        assert query == {
            "client": ["N-0001"],
            "actor": [str(tom.pk)],
            "date_from": [day],
            "date_to": [timezone.localtime(grant.expires_at).date().isoformat()],
        }
        assert sign_in(eve).get(link).status_code == 200

    def test_query_count_does_not_grow_with_the_rows(
        self, eve: User, north: Organization, north_site: Site, alice: User, django_assert_num_queries: Any
    ) -> None:
        def add(count: int) -> None:
            for _ in range(count):
                person = make_staff(north, f"x{EmergencyAccess.objects.count()}@north.test", "X", Role.THERAPIST)
                client = make_client(north, north_site, primary=alice)
                ended(person, client)
                ended(
                    person,
                    client,
                    reviewed_at=timezone.now(),
                    reviewed_by=eve,
                    review_outcome="not_appropriate",
                    review_note="Talked to them.",
                )

        add(1)
        http = sign_in(eve)
        http.get(QUEUE)
        with CaptureQueriesContext(connection) as few:
            http.get(QUEUE)
        add(5)
        with django_assert_num_queries(len(few.captured_queries)):
            response = http.get(QUEUE)
        assert response.content.decode().count("/review/") == 6

    def test_pagination(self, eve: User, tom: User, fern: Client, settings: Any) -> None:
        settings.PAGE_SIZE = 2
        for days in range(5):
            ended(tom, fern, days_ago=days + 1)
        body = sign_in(eve).get(QUEUE + "?status=unreviewed&page=3").content.decode()
        assert "Page 3 of 3" in body
        assert body.count("/review/") == 1


class TestReview:
    def test_appropriate(self, tom: User, eve: User, fern: Client) -> None:
        grant = ended(tom, fern)
        response = sign_in(eve).post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "appropriate"))
        assert response["Location"] == QUEUE
        grant.refresh_from_db()
        assert (grant.review_outcome, grant.reviewed_by, grant.is_reviewed) == ("appropriate", eve, True)
        event = AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_REVIEWED)
        assert (event.actor, event.client, event.extra["outcome"]) == (eve, fern, "appropriate")

    def test_not_appropriate_needs_a_note(self, tom: User, eve: User, fern: Client) -> None:
        grant = ended(tom, fern)
        http = sign_in(eve)
        response = http.post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "not_appropriate", "  "))
        assert response.status_code == 200
        assert "Say what follows up when the access was not appropriate." in response.content.decode()
        grant.refresh_from_db()
        assert not grant.is_reviewed
        http.post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "not_appropriate", "Spoke with Tom; retraining."))
        grant.refresh_from_db()
        assert (grant.review_outcome, grant.review_note) == ("not_appropriate", "Spoke with Tom; retraining.")
        assert (
            AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_REVIEWED).reason
            == "Spoke with Tom; retraining."
        )

    def test_an_outcome_is_required(self, tom: User, eve: User, fern: Client) -> None:
        grant = ended(tom, fern)
        response = sign_in(eve).post(f"{QUEUE}{grant.pk}/review/", review_data(grant, ""))
        assert "Choose whether the access was appropriate." in response.content.decode()
        grant.refresh_from_db()
        assert not grant.is_reviewed

    def test_an_open_access_is_ended_before_review(self, tom: User, eve: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        http = sign_in(eve)
        assert "Still open" in http.get(QUEUE).content.decode()
        http.post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "appropriate"))
        grant.refresh_from_db()
        assert not grant.is_reviewed

    def test_reviewed_once(self, tom: User, eve: User, fern: Client, north: Organization) -> None:
        grant = ended(tom, fern)
        sign_in(eve).post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "appropriate"))
        other_admin = make_staff(north, "ada@north.test", "Ada Admin", Role.ADMIN)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=other_admin, name="phone", confirmed=True)
        sign_in(other_admin).post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "not_appropriate", "No."))
        grant.refresh_from_db()
        assert (grant.reviewed_by, grant.review_outcome) == (eve, "appropriate")
        assert AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_REVIEWED).count() == 1

    @pytest.mark.parametrize("who", ["alice", "tom", "dan"])
    def test_non_admins_cannot_review(self, who: str, tom: User, fern: Client, request: Any) -> None:
        grant = ended(tom, fern)
        response = sign_in(request.getfixturevalue(who)).post(
            f"{QUEUE}{grant.pk}/review/", review_data(grant, "appropriate")
        )
        assert response.status_code == 403
        grant.refresh_from_db()
        assert not grant.is_reviewed

    def test_another_organizations_admin_gets_404(self, tom: User, sam: User, fern: Client) -> None:
        grant = ended(tom, fern)
        assert sign_in(sam).post(f"{QUEUE}{grant.pk}/review/", review_data(grant, "appropriate")).status_code == 404


class TestSettings:
    def test_the_admin_changes_the_duration_and_it_is_audited(self, eve: User) -> None:
        http = sign_in(eve)
        assert "240" in http.get(QUEUE + "settings/").content.decode()
        response = http.post(QUEUE + "settings/", {"duration_minutes": "60"})
        assert response.status_code == 302
        assert EmergencyAccessSettings.for_organization(eve.organization_id).duration_minutes == 60
        event = AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_SETTINGS_CHANGED)
        assert (event.actor, event.extra["changes"]) == (eve, {"duration_minutes": [240, 60]})

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("14", "at least 15 minutes"),
            ("1441", "at most 1440 minutes"),
            ("", "Enter a number of minutes."),
            ("two", "Enter a whole number of minutes."),
        ],
    )
    def test_out_of_range_is_refused(self, eve: User, value: str, message: str) -> None:
        response = sign_in(eve).post(QUEUE + "settings/", {"duration_minutes": value})
        assert message in response.content.decode()
        assert not EmergencyAccessSettings.objects.exists()
        assert not AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_SETTINGS_CHANGED).exists()

    def test_each_organization_has_its_own(self, eve: User, sam: User) -> None:
        sign_in(eve).post(QUEUE + "settings/", {"duration_minutes": "30"})
        assert EmergencyAccessSettings.for_organization(sam.organization_id).duration_minutes == 240

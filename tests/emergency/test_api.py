"""/api/v1/emergency/: the same rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import Organization, Role, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess
from tests.conftest import bearer, make_client, make_staff
from tests.emergency.conftest import JUSTIFICATION, form_data, make_grant

pytestmark = pytest.mark.django_db

ACCESS = "/api/v1/emergency/access"
START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def api(user: User) -> HttpClient:
    return HttpClient(**bearer(user))


def post(http: HttpClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return http.post(path, data or {}, content_type="application/json")


class TestBreakGlass:
    @pytest.mark.parametrize("who", ["tom", "cal", "phil", "sue", "dan"])
    def test_each_eligible_role(self, who: str, fern: Client, request: Any) -> None:
        http = api(request.getfixturevalue(who))
        assert http.get(f"/api/v1/clients/{fern.pk}").status_code == 404
        response = post(http, ACCESS, form_data())
        assert response.status_code == 201
        body = response.json()
        assert body["client_id"] == fern.pk and body["client_identifier"] == "N-0001"
        assert (body["reason"], body["justification"], body["is_active"]) == ("crisis", JUSTIFICATION, True)
        assert body["reviewed_at"] is None
        assert http.get(f"/api/v1/clients/{fern.pk}").status_code == 200

    def test_the_team_is_told(
        self, tom: User, fern: Client, eve: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            post(api(tom), ACCESS, form_data())
        assert eve.email in [address for message in mail.outbox for address in message.to]
        assert all("N-0001" not in message.body for message in mail.outbox)

    def test_admin_refused_and_audited(self, eve: User, fern: Client) -> None:
        response = post(api(eve), ACCESS, form_data())
        assert response.status_code == 403
        assert not EmergencyAccess.objects.exists()
        assert AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_REFUSED).extra["why"] == "role"

    def test_other_organization_and_unknown_identifier(self, carol: User, tom: User, fern: Client) -> None:
        for user, identifier in ((carol, "N-0001"), (tom, "N-9999")):
            response = post(api(user), ACCESS, form_data(identifier))
            assert response.status_code == 422
            assert response.json()["errors"] == {
                "identifier": ["No client of your organization has this identifier. Check it and try again."]
            }
        assert not EmergencyAccess.objects.exists()
        assert AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_REFUSED).count() == 2

    def test_every_missing_field_has_its_error(self, tom: User, fern: Client) -> None:
        response = post(api(tom), ACCESS, {})
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"identifier", "reason", "justification"}
        short = post(api(tom), ACCESS, form_data(justification="too short"))
        assert "at least 20 characters" in short.json()["errors"]["justification"][0]
        assert post(api(tom), ACCESS, {**form_data(), "minutes": 999}).status_code == 422
        assert not EmergencyAccess.objects.exists()

    def test_care_team_gets_409_and_an_open_access_is_returned(self, alice: User, tom: User, fern: Client) -> None:
        assert post(api(alice), ACCESS, form_data()).status_code == 409
        http = api(tom)
        first = post(http, ACCESS, form_data()).json()
        again = post(http, ACCESS, form_data())
        assert again.status_code == 200 and again.json()["id"] == first["id"]
        assert EmergencyAccess.objects.count() == 1

    def test_expires(self, tom: User, fern: Client) -> None:
        with time_machine.travel(START, tick=False) as clock:
            http = api(tom)
            body = post(http, ACCESS, form_data()).json()
            assert body["expires_at"].startswith("2026-03-02T18:00:00")
            clock.move_to(START + dt.timedelta(hours=4, seconds=1))
            assert http.get(f"/api/v1/clients/{fern.pk}").status_code == 404
            assert http.get(f"{ACCESS}/{body['id']}").json()["is_active"] is False


class TestListAndEnd:
    def test_admins_see_the_queue_others_their_own(
        self, tom: User, dan: User, alice: User, eve: User, sam: User, fern: Client
    ) -> None:
        mine = make_grant(tom, fern, started=timezone.now() - dt.timedelta(days=2))
        reviewed = make_grant(
            dan,
            fern,
            started=timezone.now() - dt.timedelta(days=1),
            reviewed_at=timezone.now(),
            reviewed_by=eve,
            review_outcome="appropriate",
        )
        queue = api(eve).get(ACCESS).json()
        assert queue["count"] == 2 and [item["id"] for item in queue["items"]] == [mine.pk, reviewed.pk]
        assert queue["items"][1]["reviewed_by"]["id"] == eve.pk
        assert [i["id"] for i in api(eve).get(ACCESS + "?status=reviewed").json()["items"]] == [reviewed.pk]
        assert [i["id"] for i in api(eve).get(ACCESS + "?status=unreviewed").json()["items"]] == [mine.pk]
        assert api(eve).get(ACCESS + "?status=odd").status_code == 422
        assert [i["id"] for i in api(tom).get(ACCESS).json()["items"]] == [mine.pk]
        assert api(alice).get(ACCESS).json() == {"count": 0, "items": []}
        assert api(sam).get(ACCESS).json()["count"] == 0

    def test_list_query_count_is_constant(
        self, eve: User, north: Organization, north_site: Site, alice: User, django_assert_num_queries: Any
    ) -> None:
        def add(count: int) -> None:
            for index in range(count):
                person = make_staff(
                    north, f"y{EmergencyAccess.objects.count()}-{index}@north.test", "Y", Role.PHYSICIAN
                )
                make_grant(
                    person, make_client(north, north_site, primary=alice), reviewed_at=timezone.now(), reviewed_by=eve
                )

        add(1)
        http = api(eve)
        http.get(ACCESS)
        with CaptureQueriesContext(connection) as few:
            http.get(ACCESS)
        add(6)
        with django_assert_num_queries(len(few.captured_queries)):
            assert http.get(ACCESS).json()["count"] == 7

    def test_end_early(self, tom: User, fern: Client) -> None:
        http = api(tom)
        grant_id = post(http, ACCESS, form_data()).json()["id"]
        response = post(http, f"{ACCESS}/{grant_id}/end")
        assert response.status_code == 200
        assert response.json()["is_active"] is False and response.json()["ended_by_id"] == tom.pk
        assert http.get(f"/api/v1/clients/{fern.pk}").status_code == 404
        assert post(http, f"{ACCESS}/{grant_id}/end").status_code == 409
        assert AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_ENDED).count() == 1

    def test_who_may_end(self, tom: User, alice: User, carol: User, eve: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        assert post(api(alice), f"{ACCESS}/{grant.pk}/end").status_code == 403
        assert post(api(carol), f"{ACCESS}/{grant.pk}/end").status_code == 404
        assert post(api(eve), f"{ACCESS}/{grant.pk}/end").json()["ended_by_id"] == eve.pk


class TestReview:
    def test_review(self, tom: User, eve: User, fern: Client) -> None:
        grant = make_grant(tom, fern, started=timezone.now() - dt.timedelta(days=1))
        path = f"{ACCESS}/{grant.pk}/review"
        assert post(api(tom), path, {"outcome": "appropriate"}).status_code == 403
        missing = post(api(eve), path, {"outcome": "not_appropriate"})
        assert missing.status_code == 422
        assert missing.json()["errors"] == {"note": ["Say what follows up when the access was not appropriate."]}
        done = post(api(eve), path, {"outcome": "not_appropriate", "note": "Discussed with Tom."})
        assert done.status_code == 200
        assert (done.json()["review_outcome"], done.json()["review_note"]) == ("not_appropriate", "Discussed with Tom.")
        assert post(api(eve), path, {"outcome": "appropriate"}).status_code == 409
        assert AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_REVIEWED).count() == 1

    def test_an_open_access_is_not_reviewed(self, tom: User, eve: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        response = post(api(eve), f"{ACCESS}/{grant.pk}/review", {"outcome": "appropriate"})
        assert response.status_code == 409
        assert "still open" in response.json()["detail"]

    def test_another_organizations_admin(self, tom: User, sam: User, fern: Client) -> None:
        grant = make_grant(tom, fern, started=timezone.now() - dt.timedelta(days=1))
        assert post(api(sam), f"{ACCESS}/{grant.pk}/review", {"outcome": "appropriate"}).status_code == 404


class TestSettings:
    def test_read_and_change(self, eve: User, tom: User) -> None:
        assert api(tom).get("/api/v1/emergency/settings").json() == {"duration_minutes": 240}
        change = {"duration_minutes": 30}
        assert api(tom).put("/api/v1/emergency/settings", change, content_type="application/json").status_code == 403
        response = api(eve).put("/api/v1/emergency/settings", change, content_type="application/json")
        assert response.json() == {"duration_minutes": 30}
        bad = api(eve).put("/api/v1/emergency/settings", {"duration_minutes": 5}, content_type="application/json")
        assert bad.status_code == 422 and "duration_minutes" in bad.json()["errors"]

"""What an emergency access opens (reads, pages and API alike), what it never opens (writes, lists), and that it
ends: by expiry, or early by the person or an admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.emergency.models import EmergencyAccess
from iptcare.ipt.models import Episode
from tests.conftest import bearer, sign_in
from tests.emergency.conftest import break_glass, make_grant

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)


def read_pages(client: Client, episode: Episode) -> list[str]:
    base = f"/clients/{client.pk}"
    return [
        f"{base}/",
        f"{base}/history/",
        f"{base}/measures/",
        f"{base}/use/",
        f"{base}/consents/",
        f"{base}/episodes/",
        f"{base}/episodes/{episode.pk}/",
        f"{base}/episodes/{episode.pk}/timeline/",
        f"{base}/episodes/{episode.pk}/sessions/",
    ]


def read_api(client: Client, episode: Episode) -> list[str]:
    return [
        f"/api/v1/clients/{client.pk}",
        f"/api/v1/clients/{client.pk}/care-team",
        f"/api/v1/clients/{client.pk}/people",
        f"/api/v1/measures/clients/{client.pk}/administrations",
        f"/api/v1/ipt/clients/{client.pk}/episodes",
    ]


def statuses(http: HttpClient, paths: list[str]) -> set[int]:
    return {http.get(path).status_code for path in paths}


class TestReadOnly:
    def test_pages_and_api_read_during_the_access(self, tom: User, fern: Client, episode: Episode) -> None:
        http, api = sign_in(tom), HttpClient(**bearer(tom))
        assert statuses(http, read_pages(fern, episode)) == {404}
        assert statuses(api, read_api(fern, episode)) == {404}
        break_glass(http)
        for path in read_pages(fern, episode):
            assert http.get(path).status_code == 200, path
        for path in read_api(fern, episode):
            assert api.get(path).status_code == 200, path

    def test_writes_stay_with_the_care_team(self, tom: User, fern: Client, episode: Episode) -> None:
        http, api = sign_in(tom), HttpClient(**bearer(tom))
        make_grant(tom, fern)
        base = f"/clients/{fern.pk}"
        for path in (f"{base}/edit/", f"{base}/care-team/", f"{base}/people/new/", f"{base}/consents/new/"):
            assert http.get(path).status_code == 404, path
            assert http.post(path, {}).status_code == 404, path
        assert http.post(f"{base}/episodes/{episode.pk}/edit/", {}).status_code == 404
        assert api.patch(f"/api/v1/clients/{fern.pk}", {"pronouns": "they/them"}, "application/json").status_code == 404
        assert (
            api.post(
                f"/api/v1/clients/{fern.pk}/people", {"name": "X", "relationship_type": "friend"}, "application/json"
            ).status_code
            == 404
        )
        fern.refresh_from_db()
        assert fern.pronouns == ""
        assert not Client.objects.openable_by(tom, write=True).filter(pk=fern.pk).exists()

    def test_the_record_says_it_is_read_only(self, tom: User, fern: Client) -> None:
        make_grant(tom, fern)
        body = sign_in(tom).get(f"/clients/{fern.pk}/").content.decode()
        assert f'href="/clients/{fern.pk}/edit/"' not in body
        assert "You can read this record but not change it" in body

    def test_lists_do_not_change(self, tom: User, fern: Client) -> None:
        make_grant(tom, fern)
        assert fern.pk not in [c.pk for c in Client.objects.visible_to(tom)]
        items = HttpClient(**bearer(tom)).get("/api/v1/clients/").json()["items"]
        assert fern.pk not in [item["id"] for item in items]

    def test_only_the_person_who_broke_the_glass(self, tom: User, dan: User, fern: Client) -> None:
        make_grant(tom, fern)
        assert sign_in(dan).get(f"/clients/{fern.pk}/").status_code == 404

    def test_another_client_is_not_opened(
        self, tom: User, fern: Client, north: Any, north_site: Any, alice: User
    ) -> None:
        from tests.conftest import make_client

        other = make_client(north, north_site, primary=alice)
        make_grant(tom, fern)
        assert sign_in(tom).get(f"/clients/{other.pk}/").status_code == 404


class TestExpiry:
    def test_emergency_access_expires(self, tom: User, fern: Client) -> None:
        with time_machine.travel(START, tick=False) as clock:
            http, api = sign_in(tom), HttpClient(**bearer(tom))
            break_glass(http)
            grant = EmergencyAccess.objects.get()
            assert grant.expires_at == START + dt.timedelta(hours=4)
            # A fresh browser session after each jump: the idle log-off would end the old one.
            clock.move_to(START + dt.timedelta(hours=3, minutes=59))
            assert sign_in(tom).get(f"/clients/{fern.pk}/").status_code == 200
            assert api.get(f"/api/v1/clients/{fern.pk}").status_code == 200
            clock.move_to(START + dt.timedelta(hours=4))
            assert sign_in(tom).get(f"/clients/{fern.pk}/").status_code == 404
            assert api.get(f"/api/v1/clients/{fern.pk}").status_code == 404
            grant.refresh_from_db()
            assert not grant.is_active and grant.ended_at is None
            assert grant.duration_minutes == 240

    def test_the_organization_setting_sets_the_length(self, tom: User, fern: Client, eve: User) -> None:
        with time_machine.travel(START, tick=False) as clock:
            sign_in(eve).post("/manage/emergency-access/settings/", {"duration_minutes": "15"})
            http = sign_in(tom)
            break_glass(http)
            assert EmergencyAccess.objects.get().expires_at == START + dt.timedelta(minutes=15)
            clock.move_to(START + dt.timedelta(minutes=16))
            assert sign_in(tom).get(f"/clients/{fern.pk}/").status_code == 404

    def test_after_expiry_a_new_access_can_be_opened(self, tom: User, fern: Client) -> None:
        make_grant(tom, fern, started=timezone.now() - dt.timedelta(hours=5))
        http = sign_in(tom)
        assert http.get(f"/clients/{fern.pk}/").status_code == 404
        assert break_glass(http)["Location"] == f"/clients/{fern.pk}/"
        assert EmergencyAccess.objects.count() == 2


class TestEndingEarly:
    def test_the_person_ends_it_and_can_no_longer_read(self, tom: User, fern: Client) -> None:
        http, api = sign_in(tom), HttpClient(**bearer(tom))
        break_glass(http)
        grant = EmergencyAccess.objects.get()
        response = http.post(f"/emergency/{grant.pk}/end/")
        assert response["Location"] == "/emergency/"
        grant.refresh_from_db()
        assert grant.ended_at is not None and grant.ended_by == tom
        assert http.get(f"/clients/{fern.pk}/").status_code == 404
        assert api.get(f"/api/v1/clients/{fern.pk}").status_code == 404
        event = AuditEvent.objects.get(event_type=EventType.EMERGENCY_ACCESS_ENDED)
        assert (event.actor, event.client, event.extra["ended_by"]) == (tom, fern, "holder")

    def test_ending_needs_post(self, tom: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        assert sign_in(tom).get(f"/emergency/{grant.pk}/end/").status_code == 405
        grant.refresh_from_db()
        assert grant.is_active

    def test_ending_twice_changes_nothing(self, tom: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        http = sign_in(tom)
        http.post(f"/emergency/{grant.pk}/end/")
        first = EmergencyAccess.objects.get().ended_at
        http.post(f"/emergency/{grant.pk}/end/")
        assert EmergencyAccess.objects.get().ended_at == first
        assert AuditEvent.objects.filter(event_type=EventType.EMERGENCY_ACCESS_ENDED).count() == 1

    def test_an_admin_may_end_it(self, tom: User, eve: User, fern: Client) -> None:
        grant = make_grant(tom, fern)
        sign_in(eve).post(f"/emergency/{grant.pk}/end/")
        grant.refresh_from_db()
        assert grant.ended_by == eve
        assert sign_in(tom).get(f"/clients/{fern.pk}/").status_code == 404

    def test_the_care_team_may_not_end_it_and_strangers_do_not_see_it(
        self, tom: User, alice: User, carol: User, fern: Client, north: Any
    ) -> None:
        from iptcare.accounts.models import Role
        from tests.conftest import make_staff

        grant = make_grant(tom, fern)
        assert sign_in(alice).post(f"/emergency/{grant.pk}/end/").status_code == 403
        assert sign_in(carol).post(f"/emergency/{grant.pk}/end/").status_code == 404
        other = make_staff(north, "o@north.test", "Other Therapist", Role.THERAPIST)
        assert sign_in(other).post(f"/emergency/{grant.pk}/end/").status_code == 404
        grant.refresh_from_db()
        assert grant.is_active

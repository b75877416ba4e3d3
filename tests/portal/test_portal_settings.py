"""The organization admin's portal settings under /manage/portal/, and the rules they feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from iptcare.accounts.models import Organization, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.portal.models import PortalSettings
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_an_admin_turns_on_progress_and_sets_quiet_hours(eve: User, north: Organization) -> None:
    http = sign_in(eve)
    assert http.get("/manage/portal/").status_code == 200
    data = {
        "show_progress": "on",
        "reminders_enabled": "on",
        "quiet_from": "22:00",
        "quiet_until": "07:30",
        "idle_minutes": "20",
    }
    response = http.post("/manage/portal/", data, follow=True)
    assert "Portal settings saved." in response.content.decode()
    saved = PortalSettings.objects.get(organization=north)
    assert (saved.show_progress, saved.quiet_from, saved.quiet_until, saved.idle_minutes) == (
        True,
        dt.time(22),
        dt.time(7, 30),
        20,
    )
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_SETTINGS_CHANGED)
    assert event.actor == eve and event.extra["changes"]["show_progress"] == [False, True]


def test_idle_minutes_stay_between_5_and_120(eve: User) -> None:
    data = {"quiet_from": "21:00", "quiet_until": "08:00", "idle_minutes": "500"}
    response = sign_in(eve).post("/manage/portal/", data)
    assert "Choose between 5 and 120 minutes." in response.content.decode()
    assert not PortalSettings.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "dan", "bob"])
def test_only_admins_change_portal_settings(persona: str, request: pytest.FixtureRequest) -> None:
    http = sign_in(request.getfixturevalue(persona))
    assert http.get("/manage/portal/").status_code == 403
    assert http.post("/manage/portal/", {"show_progress": "on", "idle_minutes": "15"}).status_code == 403


def test_each_organization_has_its_own_settings(eve: User, sam: User, north: Organization, south: Organization) -> None:
    data = {"show_progress": "on", "quiet_from": "21:00", "quiet_until": "08:00", "idle_minutes": "15"}
    sign_in(sam).post("/manage/portal/", data)
    assert PortalSettings.for_organization(south.pk).show_progress is True
    assert PortalSettings.for_organization(north.pk).show_progress is False


@pytest.mark.parametrize(
    ("start", "end", "hour", "quiet"),
    [
        (21, 8, 22, True),
        (21, 8, 3, True),
        (21, 8, 8, False),
        (21, 8, 20, False),
        (12, 14, 13, True),
        (12, 14, 14, False),
        (9, 9, 9, False),
    ],
)
def test_quiet_hours_may_cross_midnight(start: int, end: int, hour: int, quiet: bool) -> None:
    settings = PortalSettings(quiet_from=dt.time(start), quiet_until=dt.time(end))
    moment = timezone.make_aware(dt.datetime.combine(dt.date(2026, 4, 1), dt.time(hour)))
    assert settings.is_quiet(moment) is quiet

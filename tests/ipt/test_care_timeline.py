"""The client timeline of care: sessions, questionnaires, alerts and episode changes in one list, newest first,
in a constant number of queries, for those who may open the record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.actions import do_change_episode_status
from iptcare.ipt.models import Episode
from iptcare.measures.actions import do_record_administration
from iptcare.therapy.models import SessionStatus, TherapySession
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def held(episode: Episode, days_ago: int) -> TherapySession:
    return TherapySession.objects.create(
        episode=episode,
        therapist=episode.primary_therapist,
        scheduled_start=timezone.now() - dt.timedelta(days=days_ago),
        minutes=50,
        status=SessionStatus.ATTENDED,
        created_by=episode.primary_therapist,
    )


def history(episode: Episode, user: User, query: str = "") -> str:
    response = sign_in(user).get(f"/clients/{episode.client_id}/history/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_sessions_measures_alerts_and_status_changes_newest_first(episode: Episode, alice: User) -> None:
    held(episode, 14)
    held(episode, 7)
    do_change_episode_status(episode, "treatment", acting_user=alice, note="Contract signed.")
    # An item-9 answer above 0 raises the blocking alert.
    do_record_administration(episode.client, "PHQ-9", {str(n): 1 for n in range(1, 10)}, acting_user=alice)
    html = history(episode, alice)
    positions = [
        html.index(text)
        for text in ("Alert: PHQ-9 item 9 above 0", "PHQ-9 9", "Episode: Treatment", "Session 2", "Session 1 ")
    ]
    assert positions == sorted(positions)
    assert AuditEvent.objects.filter(event_type=EventType.CLIENT_VIEWED, extra__kind="timeline").exists()
    # The client's record shows the newest entries too.
    record = sign_in(alice).get(f"/clients/{episode.client_id}/").content.decode()
    assert "Latest in the care" in record and "Alert: PHQ-9 item 9 above 0" in record


def test_older_windows_are_a_click_away(episode: Episode, alice: User) -> None:
    held(episode, 200)
    assert "Session 1 " not in history(episode, alice)
    old_day = (timezone.localdate() - dt.timedelta(days=150)).isoformat()
    assert "Session 1 " in history(episode, alice, f"?until={old_day}")


def test_it_takes_the_same_queries_however_much_is_in_it(episode: Episode, alice: User) -> None:
    http = sign_in(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(f"/clients/{episode.client_id}/history/").status_code == 200
        return len(captured)

    held(episode, 3)
    few = count()
    for days_ago in range(10, 60, 7):
        held(episode, days_ago)
        do_record_administration(
            episode.client,
            "GAD-7",
            {str(n): 0 for n in range(1, 8)},
            acting_user=alice,
            administered_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    assert count() == few


def test_it_is_not_shown_outside_the_care_team(episode: Episode, tom: User, carol: User) -> None:
    for user in (tom, carol):
        assert sign_in(user).get(f"/clients/{episode.client_id}/history/").status_code == 404

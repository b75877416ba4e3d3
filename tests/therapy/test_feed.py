"""The therapist's calendar address: shown once, stored as a digest, revocable, and an .ics that carries the time
and nothing that identifies the client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import CareTeamMember, Client
from iptcare.ipt.models import Episode
from iptcare.therapy.feeds import do_create_calendar_feed, do_revoke_calendar_feed
from iptcare.therapy.ics import escape_text, fold
from iptcare.therapy.models import CalendarFeed, SessionStatus
from tests.conftest import sign_in
from tests.therapy.conftest import TODAY, at, book

pytestmark = pytest.mark.django_db


def fetch(raw: str) -> tuple[int, str]:
    response = HttpClient().get(f"/sessions/feed/{raw}.ics")
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")


def test_the_feed_carries_the_time_and_nothing_that_identifies_the_client(
    episode: Episode, fern: Client, alice: User
) -> None:
    book(episode, at(dt.date(2026, 4, 7), 10), minutes=50)
    book(episode, at(dt.date(2026, 4, 14), 10), SessionStatus.CANCELLED, cancel_reason="Fern is away visiting family.")
    _feed, raw = do_create_calendar_feed(alice)

    status, body = fetch(raw)

    assert status == 200
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    assert "SUMMARY:IPT session" in lines
    assert any(line.startswith("URL:https://") and line.endswith("/sessions/?date=2026-04-07") for line in lines)
    assert "DTSTART:20260407T140000Z" in lines and "DTEND:20260407T145000Z" in lines
    assert "STATUS:CANCELLED" in lines
    for private in ("Fern", "Fairweather", fern.identifier, "away", "Role dispute", "Alice"):
        assert private not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert body.endswith("\r\n")


def test_only_the_therapists_own_sessions_of_clients_they_may_open(
    episode: Episode, fern: Client, alice: User, cody: User
) -> None:
    book(episode, at(TODAY, 9))
    book(episode, at(TODAY, 14), therapist=cody)
    _feed, raw = do_create_calendar_feed(cody)
    assert fetch(raw)[1].count("BEGIN:VEVENT") == 1

    CareTeamMember.objects.filter(client=fern, user=cody).delete()

    assert fetch(raw)[1].count("BEGIN:VEVENT") == 0


def test_a_revoked_or_unknown_address_is_404(alice: User) -> None:
    feed, raw = do_create_calendar_feed(alice)
    do_revoke_calendar_feed(feed, acting_user=alice)

    assert fetch(raw)[0] == 404
    assert fetch("cal_" + "x" * 43)[0] == 404


def test_a_new_address_replaces_the_old_one(alice: User) -> None:
    _old, old_raw = do_create_calendar_feed(alice)
    _new, new_raw = do_create_calendar_feed(alice)

    assert fetch(old_raw)[0] == 404
    assert fetch(new_raw)[0] == 200
    assert CalendarFeed.objects.active().count() == 1


def test_only_the_digest_is_stored(alice: User) -> None:
    feed, raw = do_create_calendar_feed(alice)

    assert raw not in str(CalendarFeed.objects.filter(pk=feed.pk).values().get())
    assert feed.token_digest == CalendarFeed.digest(raw)


def test_a_deactivated_therapist_s_address_stops_working(alice: User) -> None:
    _feed, raw = do_create_calendar_feed(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert fetch(raw)[0] == 404


def test_fetching_is_audited_and_remembered(episode: Episode, alice: User, fern: Client) -> None:
    book(episode, at(TODAY, 9))
    feed, raw = do_create_calendar_feed(alice)

    fetch(raw)

    event = AuditEvent.objects.get(event_type=EventType.SESSIONS_VIEWED)
    assert (event.actor, event.extra["kind"], event.extra["client_ids"]) == (alice, "calendar_feed", [fern.pk])
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_the_page_shows_the_address_once_and_revokes_it(alice: User) -> None:
    http = sign_in(alice)

    shown = http.post("/sessions/calendar/", {"action": "create"}, follow=True).content.decode()
    again = http.get("/sessions/calendar/").content.decode()

    assert "/sessions/feed/cal_" in shown
    assert "/sessions/feed/cal_" not in again
    assert AuditEvent.objects.filter(event_type=EventType.TOKEN_CREATED).exists()
    http.post("/sessions/calendar/", {"action": "revoke"})
    assert not CalendarFeed.objects.active().exists()


def test_text_is_escaped_and_long_lines_folded() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("X-WR-CALNAME:" + "é" * 60)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "X-WR-CALNAME:" + "é" * 60

"""The therapist's secret calendar address: created (shown once), revoked, and resolved when a calendar fetches it.

Only the SHA-256 digest of the token is stored, as for API tokens (accounts.PersonalAccessToken). A person has at
most one active address; making a new one revokes the old, so a leaked address is closed by replacing it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.therapy.access import visible_sessions
from iptcare.therapy.models import CalendarFeed, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# What the feed covers: recent weeks (so a calendar keeps the sessions just held) and the months ahead.
FEED_PAST = dt.timedelta(days=30)
FEED_AHEAD = dt.timedelta(days=400)
# Writing last_used_at on every fetch would make each read a write; once an hour is enough to tell.
LAST_USED_RESOLUTION = dt.timedelta(hours=1)


@transaction.atomic
def do_create_calendar_feed(user: User) -> tuple[CalendarFeed, str]:
    """A new address for `user` (any earlier one is revoked). Returns the feed and the raw token, shown once."""
    for old in CalendarFeed.objects.active().select_for_update().filter(user=user):
        _revoke(old, user)
    raw = CalendarFeed.new_raw_token()
    feed = CalendarFeed.objects.create(user=user, token_digest=CalendarFeed.digest(raw), token_hint=raw[:8])
    record_event(
        EventType.TOKEN_CREATED, actor=user, obj=feed, extra={"kind": "calendar_feed", "hint": feed.token_hint}
    )
    return feed, raw


@transaction.atomic
def do_revoke_calendar_feed(feed: CalendarFeed, *, acting_user: User) -> None:
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is None:
        _revoke(feed, acting_user)


def _revoke(feed: CalendarFeed, acting_user: User) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record_event(
        EventType.TOKEN_REVOKED, actor=acting_user, obj=feed, extra={"kind": "calendar_feed", "hint": feed.token_hint}
    )


def resolve_feed(raw_token: str) -> CalendarFeed | None:
    """The active feed of an active staff member for this token, or None."""
    feed = (
        CalendarFeed.objects.active().select_related("user").filter(token_digest=CalendarFeed.digest(raw_token)).first()
    )
    if feed is None or not feed.user.is_active or not feed.user.organization_id:
        return None
    return feed


def record_feed_use(feed: CalendarFeed) -> None:
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > LAST_USED_RESOLUTION:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)


def feed_sessions(user: User) -> QuerySet[TherapySession]:
    """The user's own sessions in the feed's window, of clients whose record they may still open."""
    now = timezone.now()
    return (
        visible_sessions(user)
        .filter(therapist=user, scheduled_start__gte=now - FEED_PAST, scheduled_start__lte=now + FEED_AHEAD)
        .select_related("episode__client")
        .order_by("scheduled_start", "pk")
    )

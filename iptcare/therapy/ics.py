"""A therapist's sessions as an iCalendar feed (RFC 5545), written by hand: no iCalendar library is installed and the
feed needs only a few properties.

The feed leaves the building — it is fetched by phone and mail calendars, often through other companies' servers —
so an event carries the time and the length and nothing that identifies the client: no name, not even the program's
client identifier (with the records, an identifier plus "a session at an SUD program" identifies a patient, and
the calendar company has no Part 2 agreement with the program). Each event links to the day's sessions in
iptcare, where, signed in, the therapist sees who it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from iptcare.therapy.models import SessionStatus, TherapySession

PRODUCT_ID = "-//iptcare//Sessions//EN"
# Lines are folded at 75 octets (RFC 5545 §3.1).
FOLD_AT = 75


def escape_text(value: str) -> str:
    """TEXT values escape backslash, semicolon, comma and newline (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, each continuation starting with a space, never inside a
    multi-byte character."""
    pieces: list[str] = []
    current = ""
    limit = FOLD_AT
    for char in line:
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current = ""
            limit = FOLD_AT - 1  # the leading space counts
        current += char
    pieces.append(current)
    return "\r\n ".join(pieces)


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def session_event(session: TherapySession, *, host: str, stamp: dt.datetime) -> list[str]:
    day = timezone.localtime(session.scheduled_start).date().isoformat()
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{host}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(session.scheduled_start)}",
        f"DTEND:{utc_stamp(session.ends_at)}",
        "SUMMARY:IPT session",
        f"URL:https://{host}/sessions/?date={day}",
        # A cancelled session stays in the feed as cancelled, so calendars that copied it take it out.
        "STATUS:CANCELLED" if session.status == SessionStatus.CANCELLED else "STATUS:CONFIRMED",
        f"SEQUENCE:{int(session.updated_at.timestamp())}",
        "CLASS:CONFIDENTIAL",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
    return lines


def calendar(sessions: Iterable[TherapySession], *, name: str, host: str, stamp: dt.datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for session in sessions:
        lines += session_event(session, host=host, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)

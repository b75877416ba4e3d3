"""The therapist's own pages under /sessions/: the day and the week, the calendar address and its feed, and the
organization's note settings (admins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from iptcare.accounts.access import require_admin, require_staff
from iptcare.audit.events import record_event
from iptcare.audit.models import EventType
from iptcare.lib.ratelimit import not_found, rate_limit
from iptcare.therapy.actions_notes import do_save_note_settings
from iptcare.therapy.feeds import (
    do_create_calendar_feed,
    do_revoke_calendar_feed,
    feed_sessions,
    record_feed_use,
    resolve_feed,
)
from iptcare.therapy.forms import NoteSettingsForm
from iptcare.therapy.ics import calendar
from iptcare.therapy.models import CalendarFeed, NoteSettings, TherapySession
from iptcare.therapy.selectors import by_day, note_state, therapist_sessions, week_of

NEW_FEED_SESSION_KEY = "therapy_new_feed_url"


def chosen_day(request: HttpRequest) -> dt.date:
    """?date=YYYY-MM-DD, or today when it is missing or not a date."""
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _listed(sessions: Any) -> list[TherapySession]:
    listed = list(sessions)
    for session in listed:
        session.note_state = note_state(getattr(session, "note", None))
    return listed


def _record_list(request: HttpRequest, sessions: list[TherapySession], view: str, first: dt.date) -> None:
    """One event for the whole list, naming each client shown, so that the query count does not grow with it."""
    client_ids = sorted({s.episode.client_id for s in sessions})
    record_event(
        EventType.SESSIONS_VIEWED,
        actor=request.user,
        extra={"kind": view, "from": first.isoformat(), "client_ids": client_ids},
    )


@require_staff
def sessions_day(request: HttpRequest) -> HttpResponse:
    day = chosen_day(request)
    sessions = _listed(therapist_sessions(request.user, day, day))
    _record_list(request, sessions, "day", day)
    context = {
        "day": day,
        "today": timezone.localdate(),
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "sessions": sessions,
        "now": timezone.now(),
        "back_to": request.get_full_path(),
    }
    return render(request, "therapy/day.html", context)


@require_staff
def sessions_week(request: HttpRequest) -> HttpResponse:
    days = week_of(chosen_day(request))
    sessions = _listed(therapist_sessions(request.user, days[0], days[-1]))
    _record_list(request, sessions, "week", days[0])
    context = {
        "days": by_day(sessions, days),
        "first": days[0],
        "last": days[-1],
        "today": timezone.localdate(),
        "previous": days[0] - dt.timedelta(days=7),
        "next": days[0] + dt.timedelta(days=7),
        "count": len(sessions),
    }
    return render(request, "therapy/week.html", context)


# ---------------------------------------------------------------------------------------------------- calendar feed


@require_staff
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """Create (or replace) and revoke the secret calendar address; the address is shown once."""
    active = CalendarFeed.objects.active().filter(user=request.user).first()
    if request.method == "POST":
        if request.POST.get("action") == "revoke" and active is not None:
            do_revoke_calendar_feed(active, acting_user=request.user)
            messages.success(request, _("The calendar address is revoked: calendars using it get nothing more."))
        elif request.POST.get("action") == "create":
            _feed, raw = do_create_calendar_feed(request.user)
            request.session[NEW_FEED_SESSION_KEY] = request.build_absolute_uri(
                reverse("calendar_feed", kwargs={"token": raw})
            )
        return redirect("calendar_feed_settings")
    context = {"active": active, "new_url": request.session.pop(NEW_FEED_SESSION_KEY, None)}
    return render(request, "therapy/calendar_feed.html", context)


def _feed_token(_request: HttpRequest, kwargs: dict[str, Any]) -> str:
    return f"feed:{kwargs.get('token', '')}"


@never_cache
@rate_limit("calendar_feed", count_if=not_found)
@rate_limit("calendar_feed_token", key=_feed_token)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the secret address is the key. A revoked or unknown address answers 404, as a missing page."""
    feed = resolve_feed(token)
    if feed is None:
        raise Http404("No calendar here.")
    sessions = list(feed_sessions(feed.user))
    record_feed_use(feed)
    record_event(
        EventType.SESSIONS_VIEWED,
        actor=feed.user,
        extra={
            "kind": "calendar_feed",
            "feed": feed.token_hint,
            "client_ids": sorted({s.episode.client_id for s in sessions}),
        },
    )
    body = calendar(sessions, name=_("IPT sessions"), host=request.get_host().split(":")[0], stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    return response


# ---------------------------------------------------------------------------------------------------- settings


@require_admin
def note_settings(request: HttpRequest) -> HttpResponse:
    current = NoteSettings.for_organization(request.user.organization_id)
    initial = {"require_cosign_for_supervised": current.require_cosign_for_supervised}
    form = NoteSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        do_save_note_settings(
            request.user.organization_id,
            require_cosign_for_supervised=form.cleaned_data["require_cosign_for_supervised"],
            acting_user=request.user,
        )
        messages.success(request, _("The note settings are saved."))
        return redirect("note_settings")
    return render(request, "therapy/note_settings.html", {"form": form, "settings": current})

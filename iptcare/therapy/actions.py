"""Scheduling sessions and recording what became of them: generated from the contract, added, rescheduled,
cancelled, attended or missed, and put back to scheduled when attended or missed was recorded by mistake.

Each do_* function is one audited transaction. It locks the episode row first, so two changes to one episode's
schedule never interleave: the "missed twice in a row" check reads a session's neighbours under that lock. The
rules that need no database (the *_errors functions) are shared with the forms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.clients.access import PRIMARY_THERAPIST_ROLES
from iptcare.clients.models import CareTeamMember
from iptcare.ipt.actions_formulation import FREQUENCY_DAYS
from iptcare.ipt.models import Contract, Episode, Frequency
from iptcare.measures.actions import raise_alert
from iptcare.measures.models import Alert, AlertRule
from iptcare.therapy.models import (
    GROUP_SESSION,
    MINUTES_RANGE,
    CancelledBy,
    SessionKind,
    SessionNote,
    SessionStatus,
    TherapySession,
)

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# How far ahead a session may be booked.
BOOKING_HORIZON = dt.timedelta(days=400)


@dataclass
class Generated:
    """What generating the contract's sessions did."""

    created: list[TherapySession] = field(default_factory=list)
    # (date, why it was left out)
    skipped: list[tuple[dt.date, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- rules


def minutes_errors(minutes: int | None) -> dict[str, str]:
    low, high = MINUTES_RANGE
    if minutes is None or not low <= minutes <= high:
        return {"minutes": _("A session lasts %(low)d to %(high)d minutes.") % {"low": low, "high": high}}
    return {}


def cancel_errors(*, cancelled_by: str, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if cancelled_by not in CancelledBy.values:
        errors["cancelled_by"] = _("Say who cancelled: the client, the therapist or the program.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for cancelling.")
    return errors


def start_errors(start: dt.datetime) -> dict[str, str]:
    if start > timezone.now() + BOOKING_HORIZON:
        return {"scheduled_start": _("A session is booked at most about a year ahead.")}
    return {}


def contract_dates(contract: Contract) -> list[dt.date]:
    """The dates of the contract's sessions, from its first session at its frequency."""
    step = dt.timedelta(days=FREQUENCY_DAYS[Frequency(contract.frequency)])
    return [contract.start_date + step * n for n in range(contract.sessions)]


def local_start(day: dt.date, time_of_day: dt.time) -> dt.datetime:
    """The aware moment a session starts, on the clinic's clock (daylight saving included)."""
    return timezone.make_aware(dt.datetime.combine(day, time_of_day))


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------- scheduling


@transaction.atomic
def do_generate_sessions(
    episode: Episode, *, time_of_day: dt.time, acting_user: User, include_past: bool = False
) -> Generated:
    """Schedule the contract's sessions at `time_of_day`, with the primary therapist.

    Dates that already have a session, dates that clash with another of the therapist's sessions and (unless
    `include_past`) dates before today are skipped, and never more sessions are scheduled than the contract has.
    """
    episode = lock_episode(episode)
    _check_open(episode, SessionKind.SESSION)
    contract = Contract.objects.filter(episode=episode).first()
    if contract is None:
        raise ValidationError(_("Write the treatment contract first: the sessions are scheduled from it."))
    existing = list(
        TherapySession.objects.filter(episode=episode, kind=SessionKind.SESSION).exclude(status=SessionStatus.CANCELLED)
    )
    taken = {timezone.localdate(s.scheduled_start) for s in existing}
    room = contract.sessions - sum(1 for s in existing if s.status != SessionStatus.MISSED)
    result = Generated()
    today = timezone.localdate()
    for day in contract_dates(contract):
        start = local_start(day, time_of_day)
        reason = _skip_reason(episode, day, start, contract.session_minutes, taken, today, include_past, room)
        if reason:
            result.skipped.append((day, reason))
            continue
        result.created.append(_new_session(episode, start, contract.session_minutes, SessionKind.SESSION, acting_user))
        room -= 1
    TherapySession.objects.bulk_create(result.created)
    record_event(
        EventType.SESSION_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=episode,
        extra={
            "kind": "generated",
            "episode_id": episode.pk,
            "session_ids": [s.pk for s in result.created],
            "starts": [timezone.localtime(s.scheduled_start).isoformat() for s in result.created],
            "skipped": [day.isoformat() for day, _reason in result.skipped],
        },
    )
    return result


def _skip_reason(
    episode: Episode,
    day: dt.date,
    start: dt.datetime,
    minutes: int,
    taken: set[dt.date],
    today: dt.date,
    include_past: bool,
    room: int,
) -> str:
    if day in taken:
        return _("already has a session")
    if day < today and not include_past:
        return _("in the past")
    if room <= 0:
        return _("the contract's sessions are all scheduled")
    if clash_with(episode.primary_therapist_id, start, minutes) is not None:
        return _("the therapist has another session then")
    return ""


@transaction.atomic
def do_add_session(
    episode: Episode,
    *,
    scheduled_start: dt.datetime,
    minutes: int,
    therapist: User,
    acting_user: User,
    kind: str = SessionKind.SESSION,
) -> TherapySession:
    episode = lock_episode(episode)
    _check_open(episode, kind)
    errors = minutes_errors(minutes) | start_errors(scheduled_start)
    if kind not in SessionKind.values:
        errors["kind"] = _("Choose an IPT session, a pre-group meeting or a booster session.")
    if not is_team_therapist(episode, therapist):
        errors["therapist"] = _("Choose a therapist or counsellor on the client's care team.")
    _raise(errors)
    _check_no_clash(therapist.pk, scheduled_start, minutes)
    session = _new_session(episode, scheduled_start, minutes, kind, acting_user, therapist=therapist)
    session.save()
    changes = diff_fields({}, {"scheduled_start": scheduled_start, "minutes": minutes, "therapist": therapist.pk})
    _record(session, acting_user, changes, "scheduled")
    return session


@transaction.atomic
def do_reschedule_session(
    session: TherapySession,
    *,
    scheduled_start: dt.datetime,
    acting_user: User,
    minutes: int | None = None,
    reason: str = "",
) -> TherapySession:
    """Move a scheduled session to a new time (and length); the old and new values are in the audit trail."""
    session = lock_session(session)
    _check_still_scheduled(session, _("Only a scheduled session is rescheduled."))
    minutes = minutes or session.minutes
    _raise(minutes_errors(minutes) | start_errors(scheduled_start))
    before = {"scheduled_start": session.scheduled_start, "minutes": session.minutes}
    after = {"scheduled_start": scheduled_start, "minutes": minutes}
    changes = diff_fields(before, after)
    if not changes:
        return session
    _check_no_clash(session.therapist_id, scheduled_start, minutes, exclude=session.pk)
    session.scheduled_start, session.minutes = scheduled_start, minutes
    _save(session, "scheduled_start", "minutes")
    _record(session, acting_user, changes, "rescheduled", reason=reason.strip())
    return session


@transaction.atomic
def do_cancel_session(session: TherapySession, *, cancelled_by: str, reason: str, acting_user: User) -> TherapySession:
    session = lock_session(session)
    _check_still_scheduled(session, _("Only a scheduled session is cancelled."))
    _raise(cancel_errors(cancelled_by=cancelled_by, reason=reason))
    before = {"status": session.status, "cancelled_by": "", "cancel_reason": ""}
    session.status = SessionStatus.CANCELLED
    session.cancelled_by, session.cancel_reason = cancelled_by, reason.strip()
    _save(session, "status", "cancelled_by", "cancel_reason")
    after = {"status": session.status, "cancelled_by": cancelled_by, "cancel_reason": session.cancel_reason}
    _record(session, acting_user, diff_fields(before, after), "cancelled")
    return session


@transaction.atomic
def do_mark_attended(session: TherapySession, *, acting_user: User) -> TherapySession:
    session = lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be marked attended: schedule a new one instead."))
    _check_still_scheduled(session, _("This session is already recorded as %(status)s."))
    _check_started(session)
    return _set_status(session, SessionStatus.ATTENDED, acting_user)


@transaction.atomic
def do_mark_missed(session: TherapySession, *, acting_user: User, notify: bool = True) -> TherapySession:
    """Record a no-show. The second missed session in a row (cancellations aside) raises an alert for the primary
    therapist, unless one is already open for the client. notify=False raises it without e-mail (loading past
    data)."""
    session = lock_session(session)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be marked missed."))
    _check_still_scheduled(session, _("This session is already recorded as %(status)s."))
    _check_started(session)
    session = _set_status(session, SessionStatus.MISSED, acting_user)
    _alert_when_missed_twice(session, notify=notify)
    return session


def undo_refusal(session: TherapySession) -> str:
    """Why the attended or missed record of a session cannot be put back to scheduled, or "" when it can.

    Attendance recorded by mistake is corrected while nothing rests on it: an attended session without a note (a
    note, draft or signed, is never deleted), and a missed session that is not one of two missed in a row behind an
    open "two sessions missed in a row" alert (the alert is never deleted: it is closed first, with a disposition).
    Group attendance is recorded on the group's pages.
    """
    if session.kind == GROUP_SESSION:
        return _("Group attendance is recorded on the group session's page.")
    if session.status == SessionStatus.ATTENDED:
        if SessionNote.objects.filter(session_id=session.pk).exists():
            return _(
                "A note is written for this session, so it stays recorded as attended: a note, draft or signed, is "
                "never deleted. Correct a signed note with an amendment."
            )
        return ""
    if session.status == SessionStatus.MISSED:
        before, after = _neighbours(session)
        in_a_row = any(s is not None and s.status == SessionStatus.MISSED for s in (before, after))
        alert_open = Alert.objects.open().filter(client_id=session.episode.client_id, rule=AlertRule.MISSED_SESSIONS)
        if in_a_row and alert_open.exists():
            return _(
                "This session is one of two missed in a row, and the alert they raised is open. The alert is never "
                "deleted: review it and close it with a disposition (say the session was recorded as missed by "
                "mistake), then undo."
            )
        return ""
    return _("Only an attended or missed session is put back to scheduled.")


@transaction.atomic
def do_undo_attendance(session: TherapySession, *, acting_user: User) -> TherapySession:
    """Put an attended or missed session back to scheduled, when its record was a mistake (see undo_refusal). The
    audit trail keeps the old and new status; the session can then be recorded again, moved or cancelled."""
    session = lock_session(session)
    refusal = undo_refusal(session)
    if refusal:
        raise ValidationError(refusal, code="not_undoable")
    if session.status == SessionStatus.MISSED:
        # The slot was free while the session counted as missed: another session may have taken it since.
        _check_no_clash(session.therapist_id, session.scheduled_start, session.minutes, exclude=session.pk)
    return _set_status(session, SessionStatus.SCHEDULED, acting_user, what="attendance_undone")


def _alert_when_missed_twice(session: TherapySession, *, notify: bool = True) -> None:
    before, after = _neighbours(session)
    in_a_row = [s for s in (before, after) if s is not None and s.status == SessionStatus.MISSED]
    if not in_a_row:
        return
    client = session.episode.client
    if Alert.objects.open().filter(client=client, rule=AlertRule.MISSED_SESSIONS).exists():
        return
    first, second = sorted([session, in_a_row[0]], key=lambda s: (s.scheduled_start, s.pk))
    raise_alert(
        client,
        AlertRule.MISSED_SESSIONS,
        detail=_("Missed %(first)s and %(second)s")
        % {
            "first": timezone.localtime(first.scheduled_start).strftime("%Y-%m-%d"),
            "second": timezone.localtime(second.scheduled_start).strftime("%Y-%m-%d"),
        },
        notify=notify,
    )


def _neighbours(session: TherapySession) -> tuple[TherapySession | None, TherapySession | None]:
    """The episode's sessions just before and just after this one, cancellations left out."""
    others = TherapySession.objects.filter(episode_id=session.episode_id).exclude(status=SessionStatus.CANCELLED)
    before = (
        others.filter(scheduled_start__lte=session.scheduled_start)
        .exclude(pk=session.pk)
        .order_by("-scheduled_start", "-pk")
        .first()
    )
    after = (
        others.filter(scheduled_start__gte=session.scheduled_start)
        .exclude(pk=session.pk)
        .order_by("scheduled_start", "pk")
        .first()
    )
    return before, after


# ---------------------------------------------------------------------------------------------------- helpers


def is_team_therapist(episode: Episode, user: User) -> bool:
    """A therapist or counsellor on the client's care team: who may hold the client's sessions."""
    if user.pk == episode.primary_therapist_id:
        return True
    on_team = CareTeamMember.objects.filter(client_id=episode.client_id, user=user, user__is_active=True).exists()
    return on_team and user.has_role(*PRIMARY_THERAPIST_ROLES)


def clash_with(
    therapist_id: int, start: dt.datetime, minutes: int, *, exclude: int | None = None
) -> TherapySession | None:
    """Another scheduled or attended session of the therapist that overlaps this time, if any."""
    end = start + dt.timedelta(minutes=minutes)
    nearby = TherapySession.objects.filter(
        therapist_id=therapist_id,
        status__in=(SessionStatus.SCHEDULED, SessionStatus.ATTENDED),
        scheduled_start__lt=end,
        scheduled_start__gt=start - dt.timedelta(minutes=MINUTES_RANGE[1]),
    ).exclude(pk=exclude)
    return next((s for s in nearby if s.ends_at > start), None)


def _check_no_clash(therapist_id: int, start: dt.datetime, minutes: int, *, exclude: int | None = None) -> None:
    other = clash_with(therapist_id, start, minutes, exclude=exclude)
    if other is not None:
        raise ValidationError(
            {
                "scheduled_start": _("The therapist has another session from %(start)s to %(end)s.")
                % {
                    "start": timezone.localtime(other.scheduled_start).strftime("%Y-%m-%d %H:%M"),
                    "end": timezone.localtime(other.ends_at).strftime("%H:%M"),
                }
            }
        )


def _new_session(
    episode: Episode, start: dt.datetime, minutes: int, kind: str, acting_user: User, *, therapist: Any = None
) -> TherapySession:
    return TherapySession(
        episode=episode,
        therapist=therapist or episode.primary_therapist,
        scheduled_start=start,
        minutes=minutes,
        kind=kind,
        created_by=acting_user,
    )


def _check_open(episode: Episode, kind: str) -> None:
    # Booster sessions come after the course, when the episode may already be closed (IPT-DOMAIN §8).
    if not episode.is_open and kind != SessionKind.BOOSTER:
        raise ValidationError(_("The episode is closed: only booster sessions are scheduled now."))


def _check_still_scheduled(session: TherapySession, message: str) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(message % {"status": session.get_status_display().lower()}, code="not_scheduled")


def _check_started(session: TherapySession) -> None:
    if not session.has_started:
        raise ValidationError(_("This session has not started yet: record it once it has."), code="not_started")


def _set_status(session: TherapySession, status: str, acting_user: User, *, what: str = "") -> TherapySession:
    before = session.status
    session.status = status
    _save(session, "status")
    _record(session, acting_user, {"status": [before, status]}, what or status)
    return session


def _save(session: TherapySession, *fields: str) -> None:
    session.updated_at = timezone.now()
    session.save(update_fields=[*fields, "updated_at"])


def lock_episode(episode: Episode) -> Episode:
    """The episode's row, locked until the transaction ends (its client and therapist come along)."""
    return (
        Episode.objects.select_for_update(of=("self",)).select_related("client", "primary_therapist").get(pk=episode.pk)
    )


def lock_session(session: TherapySession) -> TherapySession:
    episode = lock_episode(session.episode)
    fresh = TherapySession.objects.get(pk=session.pk)
    fresh.episode = episode
    return fresh


def _record(
    session: TherapySession, acting_user: User, changes: dict[str, list[Any]], what: str, *, reason: str = ""
) -> None:
    record_event(
        EventType.SESSION_CHANGED,
        actor=acting_user,
        client=session.episode.client,
        obj=session,
        reason=reason,
        changes=changes,
        extra={"kind": what, "episode_id": session.episode_id},
    )

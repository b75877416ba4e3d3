"""Opening an episode and changing its status. Each function is one audited transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iptcare.audit.events import diff_fields, record_event
from iptcare.audit.models import EventType
from iptcare.ipt.models import (
    DEFAULT_SESSIONS,
    OPEN_STATUSES,
    SESSION_RANGE,
    Contract,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Format,
)

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Client


PLANNING_HORIZON = dt.timedelta(days=90)


def check_session_count(format_: str, sessions: int) -> None:
    low, high = SESSION_RANGE[Format(format_)]
    if not low <= sessions <= high:
        raise ValidationError(
            {
                "planned_sessions": _("%(format)s IPT plans %(low)d to %(high)d sessions.")
                % {"format": Format(format_).label, "low": low, "high": high}
            }
        )


@transaction.atomic
def do_open_episode(
    client: Client,
    *,
    format_: str,
    primary_therapist: User,
    acting_user: User,
    planned_sessions: int | None = None,
    session_minutes: int = 50,
    start_date: dt.date | None = None,
) -> Episode:
    sessions = planned_sessions or DEFAULT_SESSIONS[Format(format_)]
    check_session_count(format_, sessions)
    today = timezone.localdate()
    start_date = start_date or today
    if start_date > today + PLANNING_HORIZON:
        raise ValidationError({"start_date": _("Open the episode within three months of its first session.")})
    episode = Episode(
        organization_id=client.organization_id,
        client=client,
        format=format_,
        primary_therapist=primary_therapist,
        planned_sessions=sessions,
        session_minutes=session_minutes,
        start_date=start_date,
        # An episode that starts later is planned until its first session.
        status=EpisodeStatus.PLANNED if start_date > today else EpisodeStatus.ASSESSMENT,
        created_by=acting_user,
    )
    episode.full_clean(exclude=["organization", "client", "created_by", "primary_therapist"])
    try:
        with transaction.atomic():
            episode.save()
    except IntegrityError:
        raise ValidationError({"format": _("This client already has an open episode in this format.")}) from None
    EpisodeStatusChange.objects.create(episode=episode, status=episode.status, changed_by=acting_user)
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=client,
        obj=episode,
        extra={"opened": episode.format, "planned_sessions": sessions},
    )
    _schedule_measures_when_none(client, acting_user)
    return episode


def _schedule_measures_when_none(client: Client, acting_user: User) -> None:
    """An episode is measured (PRODUCT.md 2.3): a client without any questionnaire schedule gets the program's usual
    one (PHQ-9 and GAD-7 weekly, AUDIT and DAST-10 at intake and discharge), which the team can change."""
    from iptcare.measures.actions import do_apply_standard_schedule
    from iptcare.measures.models import MeasureSchedule

    if not MeasureSchedule.objects.filter(client=client).exists():
        do_apply_standard_schedule(client, acting_user=acting_user)


EDITABLE_FIELDS = ("primary_therapist", "session_minutes", "start_date")


@transaction.atomic
def do_update_episode(episode: Episode, data: dict[str, Any], *, acting_user: User) -> Episode:
    """Changes the therapist, session length or start date. A planned episode whose new start has come begins
    its assessment; an episode that has begun cannot be moved into the future."""
    if not episode.is_open:
        raise ValidationError(_("A closed episode is not changed."))
    today = timezone.localdate()
    start_date = data.get("start_date", episode.start_date)
    if episode.status != EpisodeStatus.PLANNED and start_date > today:
        raise ValidationError({"start_date": _("The episode has begun: its start date cannot be in the future.")})
    if start_date > today + PLANNING_HORIZON:
        raise ValidationError({"start_date": _("Open the episode within three months of its first session.")})
    contract = Contract.objects.filter(episode=episode).first()
    if contract is not None and start_date > contract.start_date:
        raise ValidationError(
            {
                "start_date": _("The contract's first session is %(date)s: the episode starts then or earlier.")
                % {"date": contract.start_date}
            }
        )
    before = {name: getattr(episode, name) for name in EDITABLE_FIELDS}
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(episode, name, data[name])
    episode.full_clean(exclude=["organization", "client", "created_by", "primary_therapist"])
    episode.save(update_fields=list(EDITABLE_FIELDS))
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=episode,
        changes=diff_fields(before, {name: getattr(episode, name) for name in EDITABLE_FIELDS}),
    )
    if episode.status == EpisodeStatus.PLANNED and start_date <= today:
        do_change_episode_status(
            episode, EpisodeStatus.ASSESSMENT, acting_user=acting_user, note=_("The start date has come.")
        )
    return episode


@transaction.atomic
def do_record_termination_raised(episode: Episode, raised_on: dt.date, *, acting_user: User) -> Episode:
    """Records the day the end of treatment was raised with the client (IPT-DOMAIN §1: by session N−2)."""
    if not episode.is_open:
        raise ValidationError(_("A closed episode is not changed."))
    if raised_on > timezone.localdate():
        raise ValidationError({"termination_raised_on": _("This date is in the future.")})
    if raised_on < episode.start_date:
        raise ValidationError({"termination_raised_on": _("This is before the episode began.")})
    before = episode.termination_raised_on
    episode.termination_raised_on = raised_on
    episode.save(update_fields=["termination_raised_on"])
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=episode,
        changes=diff_fields({"termination_raised_on": before}, {"termination_raised_on": raised_on}),
    )
    return episode


@transaction.atomic
def do_change_episode_status(episode: Episode, status: str, *, acting_user: User, note: str = "") -> Episode:
    if not episode.is_open:
        raise ValidationError(_("A closed episode does not change status; open a new one."))
    if status == episode.status:
        return episode
    leaving_initial_phase = episode.status in (EpisodeStatus.PLANNED, EpisodeStatus.ASSESSMENT) and status in (
        EpisodeStatus.TREATMENT,
        EpisodeStatus.CLOSURE,
    )
    if leaving_initial_phase and not note.strip():
        from iptcare.ipt.guidance import initial_phase_tasks

        open_tasks = [t.label for t in initial_phase_tasks(episode) if not t.done]
        if open_tasks:
            raise ValidationError(
                {
                    "note": _("The initial phase still has open tasks (%(tasks)s). Say why the work moves on.")
                    % {"tasks": "; ".join(open_tasks)}
                }
            )
    _refuse_while_safety_alert_open(episode, status)
    old = episode.status
    episode.status = status
    episode.save(update_fields=["status"])
    EpisodeStatusChange.objects.create(episode=episode, status=status, changed_by=acting_user, note=note)
    record_event(
        EventType.EPISODE_CHANGED,
        actor=acting_user,
        client=episode.client,
        obj=episode,
        changes={"status": [old, status]},
        extra={"note": note} if note else None,
    )
    return episode


# Moving on: to the middle phase, to closure or to completion. Dropping out and transfer stay possible: they record
# what happened, and the alert stays open with the client's team.
MOVING_ON = (EpisodeStatus.TREATMENT, EpisodeStatus.CLOSURE, EpisodeStatus.COMPLETED)


def _refuse_while_safety_alert_open(episode: Episode, status: str) -> None:
    """A positive PHQ-9 item 9 is a blocking safety task: a C-SSRS and a disposition close it before the episode
    moves on (IPT-DOMAIN §5)."""
    from iptcare.measures.models import Alert

    if status in MOVING_ON and Alert.objects.open().filter(client_id=episode.client_id, needs_cssrs=True).exists():
        raise ValidationError(
            _(
                "A safety alert is open (PHQ-9 item 9): give the C-SSRS screener and close the alert with a "
                "disposition before the episode moves on."
            )
        )


def open_episode_of(client: Client) -> Episode | None:
    return Episode.objects.filter(client=client, status__in=OPEN_STATUSES).order_by("-start_date", "-id").first()

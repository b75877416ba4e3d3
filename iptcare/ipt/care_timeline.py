"""The client timeline (issue 5 part 7): sessions, notes, questionnaires, alerts, formulation, contract and plan
changes, status changes and closure, newest first — one place to understand the care.

Each source is read once for a window of time, so the page costs the same number of queries however much is in
it; a window with nothing in it offers the next one back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from iptcare.clients.models import Client

WINDOW = dt.timedelta(days=90)


@dataclass(frozen=True)
class Item:
    at: dt.datetime
    kind: str  # session, note, measure, alert, episode, plan, closure
    title: str
    detail: str = ""
    url: str = ""


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def care_timeline(client: Client, until: dt.datetime, since: dt.datetime) -> list[Item]:
    """Everything in (since, until], newest first."""
    items = [
        *_sessions(client, since, until),
        *_notes(client, since, until),
        *_measures(client, since, until),
        *_alerts(client, since, until),
        *_episode_changes(client, since, until),
        *_plans(client, since, until),
        *_closures(client, since, until),
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)


def window_ending(until_day: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    until = _aware(until_day) if until_day else timezone.now() + dt.timedelta(days=30)
    return until, until - WINDOW


def _episode_url(name: str, episode_id: int, client_id: int, **kwargs: int) -> str:
    return reverse(name, kwargs={"client_id": client_id, "episode_id": episode_id, **kwargs})


def _sessions(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.therapy.models import TherapySession

    sessions = (
        TherapySession.objects.filter(episode__client=client, scheduled_start__gt=since, scheduled_start__lte=until)
        .select_related("therapist")
        .with_numbers()
    )
    return [
        Item(
            s.scheduled_start,
            "session",
            (_("Session %(n)d") % {"n": s.number} if s.number else str(s.get_kind_display()))
            + f" · {s.get_status_display()}",
            s.therapist.full_name + (f" · {s.cancel_reason}" if s.cancel_reason else ""),
            _episode_url("session_note", s.episode_id, client.pk, session_id=s.pk),
        )
        for s in sessions
    ]


def _notes(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.therapy.models import NoteAmendment, SessionNote

    notes = SessionNote.objects.filter(
        session__episode__client=client, signed_at__gt=since, signed_at__lte=until
    ).select_related("session", "signed_by")
    amendments = NoteAmendment.objects.filter(
        note__session__episode__client=client, amended_at__gt=since, amended_at__lte=until
    ).select_related("note__session", "amended_by")
    return [
        *(
            Item(
                n.signed_at,
                "note",
                _("Session note signed"),
                n.signed_by.full_name if n.signed_by else "",
                _episode_url("session_note", n.session.episode_id, client.pk, session_id=n.session_id),
            )
            for n in notes
        ),
        *(
            Item(
                a.amended_at,
                "note",
                _("Session note amended"),
                f"{a.amended_by.full_name} · {a.reason}",
                _episode_url("session_note", a.note.session.episode_id, client.pk, session_id=a.note.session_id),
            )
            for a in amendments
        ),
    ]


def _measures(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.measures.models import Administration

    given = Administration.objects.current().filter(
        client=client, administered_at__gt=since, administered_at__lte=until
    )
    return [
        Item(
            a.administered_at,
            "measure",
            f"{a.instrument_code} {a.total_display}",
            a.band_label,
            reverse("administration_detail", kwargs={"client_id": client.pk, "administration_id": a.pk}),
        )
        for a in given
    ]


def _alerts(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from django.db.models import Q

    from iptcare.measures.models import Alert

    alerts = (
        Alert.objects.filter(client=client)
        .filter(Q(raised_at__gt=since, raised_at__lte=until) | Q(closed_at__gt=since, closed_at__lte=until))
        .select_related("administration")
    )
    items = []
    for alert in alerts:
        url = reverse("alert_close", kwargs={"client_id": client.pk, "alert_id": alert.pk})
        if since < alert.raised_at <= until:
            items.append(
                Item(
                    alert.raised_at,
                    "alert",
                    _("Alert: %(rule)s") % {"rule": alert.get_rule_display()},
                    _alert_detail(alert),
                    url,
                )
            )
        if alert.closed_at and since < alert.closed_at <= until:
            items.append(Item(alert.closed_at, "alert", _("Alert closed"), alert.disposition, url))
    return items


def _alert_detail(alert: Any) -> str:
    """The questionnaire behind the alert ("PHQ-9 12"), or the words stored with it (a lapse, missed sessions)."""
    given = alert.administration
    if given is not None:
        return f"{given.instrument_code} {given.total_display}"
    return alert.detail


def _episode_changes(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.ipt.models import Contract, EpisodeStatusChange, Formulation, Renegotiation

    changes = EpisodeStatusChange.objects.filter(
        episode__client=client, changed_at__gt=since, changed_at__lte=until
    ).select_related("episode")
    renegotiations = Renegotiation.objects.filter(episode__client=client, created_at__gt=since, created_at__lte=until)
    contracts = Contract.objects.filter(episode__client=client, client_signed_at__gt=since, client_signed_at__lte=until)
    formulations = Formulation.objects.filter(
        episode__client=client, accepted_on__gt=since.date(), accepted_on__lte=until.date()
    )
    return [
        *(
            Item(
                c.changed_at,
                "episode",
                _("Episode: %(status)s") % {"status": c.get_status_display()},
                f"{c.episode.get_format_display()}" + (f" · {c.note}" if c.note else ""),
                _episode_url("episode_detail", c.episode_id, client.pk),
            )
            for c in changes
        ),
        *(
            Item(
                r.created_at,
                "episode",
                _("Sessions renegotiated: %(old)d → %(new)d") % {"old": r.old_sessions, "new": r.new_sessions},
                r.reason,
                _episode_url("episode_detail", r.episode_id, client.pk),
            )
            for r in renegotiations
        ),
        *(
            Item(
                c.client_signed_at,
                "episode",
                _("Treatment contract signed by the client"),
                c.focus[:120],
                _episode_url("contract", c.episode_id, client.pk),
            )
            for c in contracts
        ),
        *(
            Item(
                _aware(f.accepted_on),
                "episode",
                _("Formulation accepted by the client"),
                f.text[:120],
                _episode_url("formulation", f.episode_id, client.pk),
            )
            for f in formulations
        ),
    ]


def _plans(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.plans.models import RelapsePreventionPlan, SafetyPlan

    items = []
    for model, title, url_name in (
        (RelapsePreventionPlan, _("Relapse-prevention plan, version %(v)d, final"), "plan"),
        (SafetyPlan, _("Safety plan, version %(v)d, final"), "safety_plan"),
    ):
        plans = model.objects.filter(client=client, finalised_at__gt=since, finalised_at__lte=until).select_related(
            "finalised_by"
        )
        items += [
            Item(
                p.finalised_at,
                "plan",
                title % {"v": p.version},
                p.finalised_by.full_name,
                _episode_url(url_name, p.episode_id, client.pk),
            )
            for p in plans
        ]
    return items


def _closures(client: Client, since: dt.datetime, until: dt.datetime) -> list[Item]:
    from iptcare.plans.models import EpisodeClosure

    closures = EpisodeClosure.objects.filter(episode__client=client, recorded_at__gt=since, recorded_at__lte=until)
    return [
        Item(
            c.recorded_at,
            "closure",
            _("Closure: %(decision)s") % {"decision": c.get_decision_display()},
            c.notes[:120],
            _episode_url("closure", c.episode_id, client.pk),
        )
        for c in closures
    ]

"""The demo clinic's session histories, notes and closed courses (issue 5 part 9): what a visitor sees on the day
view, the episode pages and the closure, whatever the day and time the demo is loaded."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from iptcare.accounts.models import Organization, User
from iptcare.ipt.models import OPEN_STATUSES, Episode, EpisodeStatus, Format
from iptcare.measures.models import Alert, AlertRule
from iptcare.plans.models import EpisodeClosure, PlanStatus, RelapsePreventionPlan, SafetyPlan
from iptcare.therapy.models import (
    NON_IPT_TECHNIQUES,
    NoteAmendment,
    NoteSettings,
    RiskReview,
    SessionKind,
    SessionNote,
    SessionStatus,
    TherapySession,
)

pytestmark = pytest.mark.django_db
# The acute courses and their one-to-one sessions (the group cycle, iptcare/groups, has its own tests).
ACUTE = (Format.INDIVIDUAL, Format.BRIEF)


def load_demo() -> Organization:
    call_command("demo", "--password", "a demo password for tests", stdout=io.StringIO())
    return Organization.objects.get(slug="demo")


def in_a_row_missed(episode: Episode) -> int:
    """How many times two sessions in a row were missed (cancellations aside, as the alert counts them)."""
    statuses = list(
        episode.sessions.filter(kind=SessionKind.SESSION)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("scheduled_start")
        .values_list("status")
    )
    return sum(1 for a, b in pairwise(statuses) if a == b == (SessionStatus.MISSED,))


def test_the_demo_episodes_have_session_histories_with_notes() -> None:
    org = load_demo()
    now = timezone.now()
    open_acute = list(Episode.objects.filter(organization=org, status__in=OPEN_STATUSES, format__in=ACUTE))
    treatment = [e for e in open_acute if e.status in (EpisodeStatus.TREATMENT, EpisodeStatus.CLOSURE)]
    assessment = [e for e in open_acute if e.status == EpisodeStatus.ASSESSMENT]
    assert treatment and assessment
    for episode in open_acute:
        sessions = list(episode.sessions.order_by("scheduled_start"))
        held = [s for s in sessions if s.status == SessionStatus.ATTENDED]
        notes = {n.session_id: n for n in SessionNote.objects.filter(session__episode=episode)}
        # Every held session has its note, and the next session is booked (or under way).
        assert held and set(notes) == {s.pk for s in held}
        assert any(s.status == SessionStatus.SCHEDULED and s.ends_at > now for s in sessions)
        # Weekly, in one slot (one upcoming session may have moved by an hour).
        assert len({timezone.localtime(s.scheduled_start).weekday() for s in sessions}) == 1
        assert len({timezone.localtime(s.scheduled_start).time() for s in sessions}) <= 2
        # Only the latest held session's note may be a draft.
        drafts = [n for n in notes.values() if not n.is_signed]
        assert all(n.session_id == held[-1].pk for n in drafts)
        if episode in treatment:
            assert sum(n.is_signed for n in notes.values()) >= episode.initial_phase_last_session
            # Termination is raised by session N−2 (IPT-DOMAIN §1) once the course gets there.
            if len(held) >= episode.planned_sessions - 2:
                assert episode.termination_raised_on is not None
        else:
            # The first sessions of the initial phase held (just past it when overdue), none missed.
            assert 1 <= len(held) <= 4 and len(held) == len(sessions) - 1
    assert any(e.termination_raised_on for e in treatment)

    # No therapist is ever booked twice at once for a one-to-one session.
    one_to_one = TherapySession.objects.filter(kind__in=SessionKind.values)
    booked = one_to_one.exclude(status=SessionStatus.CANCELLED).order_by("therapist", "scheduled_start")
    for first, second in pairwise(booked):
        assert first.therapist_id != second.therapist_id or first.ends_at <= second.scheduled_start

    # The demo therapist's day view is never empty: two to four sessions today, more this week.
    therapist = User.objects.get(email="therapist@demo.iptcare.test")
    today = timezone.localdate()
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    mine = one_to_one.filter(therapist=therapist).exclude(status=SessionStatus.CANCELLED)
    assert (
        2
        <= mine.filter(scheduled_start__gte=day_start, scheduled_start__lt=day_start + dt.timedelta(days=1)).count()
        <= 4
    )
    week_start = day_start - dt.timedelta(days=today.weekday())
    assert (
        mine.filter(scheduled_start__gte=week_start, scheduled_start__lt=week_start + dt.timedelta(days=7)).count() > 4
    )

    # Some sessions were missed or cancelled (with who and why); exactly one client missed two individual
    # sessions in a row, and that raised a missed-sessions alert for their primary therapist.
    lost = Counter(one_to_one.values_list("status", flat=True))
    assert lost[SessionStatus.MISSED] >= 2 and lost[SessionStatus.CANCELLED] >= 1
    assert lost[SessionStatus.MISSED] + lost[SessionStatus.CANCELLED] < lost[SessionStatus.ATTENDED] / 4
    twice = [e for e in Episode.objects.filter(organization=org, format__in=ACUTE) if in_a_row_missed(e)]
    assert len(twice) == 1
    alert = Alert.objects.open().get(rule=AlertRule.MISSED_SESSIONS, client_id=twice[0].client_id)
    assert alert.owner_id == twice[0].primary_therapist_id

    notes = SessionNote.objects.select_related("session__episode")
    # Two or three drafts, in episodes in treatment.
    drafts = [n for n in notes if not n.is_signed]
    assert 2 <= len(drafts) <= 3
    assert all(n.session.episode.status in (EpisodeStatus.TREATMENT, EpisodeStatus.CLOSURE) for n in drafts)
    # Exactly one signed note records a technique that is not IPT, flagged for supervision.
    flagged = [n for n in notes if n.flagged_for_supervision]
    assert len(flagged) == 1 and flagged[0].is_signed
    assert set(flagged[0].techniques) & NON_IPT_TECHNIQUES
    assert sum(1 for n in notes if set(n.techniques) & NON_IPT_TECHNIQUES) == 1
    # One signed note has an amendment with its reason.
    amendment = NoteAmendment.objects.select_related("note").get()
    assert amendment.note.is_signed and amendment.reason
    # Signed notes open with the interval history and carry a risk review: mostly none, sometimes low.
    signed = [n for n in notes if n.is_signed]
    assert all(n.interval_history and n.risk_review for n in signed)
    risks = Counter(n.risk_review for n in signed)
    assert risks[RiskReview.NONE] > len(signed) / 2 and risks[RiskReview.LOW] >= 1
    # Interpersonal incidents with one of the client's people, analysed.
    incidents = [i for n in notes.prefetch_related("incidents__person") for i in n.incidents.all()]
    assert len(incidents) >= 5
    assert all(i.communication_analysis and i.person.client_id == i.note.session.episode.client_id for i in incidents)
    assert any(n.homework_set for n in signed) and any(n.homework_reviewed for n in signed)
    # The organization does not require co-signatures (the setting is left at its default, off).
    assert not NoteSettings.for_organization(org.pk).require_cosign_for_supervised
    assert not any(n.cosign_required for n in signed)


def test_the_demo_closes_courses_with_plans_and_outcomes() -> None:
    org = load_demo()
    closures = list(EpisodeClosure.objects.select_related("episode__client"))
    decisions = Counter(c.decision for c in closures)
    assert 3 <= len(closures) <= 5
    assert decisions["completed"] >= 1 and decisions["refer"] == 1 and decisions["maintenance"] == 1
    for closure in closures:
        episode = closure.episode
        assert episode.status == EpisodeStatus.COMPLETED and episode.termination_raised_on
        held = episode.sessions.filter(status=SessionStatus.ATTENDED)
        assert held.count() == episode.sessions.count() == episode.planned_sessions
        assert SessionNote.objects.filter(session__episode=episode, signed_at__isnull=False).count() == held.count()
        assert RelapsePreventionPlan.objects.filter(episode=episode, status=PlanStatus.FINAL).exists()
        assert closure.goal_reviews and closure.booster_dates
    outcomes = {c.decision: c.outcomes for c in closures}
    # Referred elsewhere for non-response; a completed course was a responder (PHQ-9 halved or better).
    assert outcomes["refer"]["non_responder"] is True
    responders = [c for c in closures if c.outcomes["measures"]["PHQ-9"]["response"]]
    assert any(c.decision == "completed" and not c.outcomes["non_responder"] for c in responders)
    # Discharged at the end of their course; the maintenance client goes on monthly.
    for closure in closures:
        client = closure.episode.client
        if closure.decision == "maintenance":
            follow_up = client.episodes.get(status__in=OPEN_STATUSES, format=Format.MAINTENANCE)
            assert follow_up.format == Format.MAINTENANCE and follow_up.sessions.count() == follow_up.planned_sessions
            assert client.status == "active"
        else:
            assert client.status == "discharged" and not client.episodes.filter(status__in=OPEN_STATUSES).exists()

    # The client with the open PHQ-9 item-9 alert has a final safety plan, and their latest note reviewed the risk.
    alert = Alert.objects.open().get(organization=org, rule=AlertRule.PHQ9_ITEM9)
    assert SafetyPlan.objects.filter(client_id=alert.client_id, status=PlanStatus.FINAL).exists()
    latest = (
        SessionNote.objects.filter(session__episode__client_id=alert.client_id)
        .order_by("-session__scheduled_start")
        .first()
    )
    assert latest.risk_review == RiskReview.MODERATE and latest.risk_notes

"""Where an episode stands in IPT, and what is still due in its phase (IPT-DOMAIN §1).

The initial phase's tasks are due by its last session: history, screening measures, the diagnosis with
psychoeducation, the medication assessment by a physician, the sick role, the interpersonal inventory, one or two
problem areas, a formulation the client accepted, goals, and a signed contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.ipt.models import Assessment, Contract, Episode, EpisodeStatus, Format, Formulation, InventoryEntry
from iptcare.ipt.phases import (
    PHASE_LABELS,
    Phase,
    TerminationStatus,
    phase_in_status,
    phase_of_session,
    termination_status,
)
from iptcare.measures.models import Administration
from iptcare.measures.schedules import Due, due_by_client

# Screening in the initial phase: depression severity (PHQ-9) and alcohol or drug use (IPT-DOMAIN §1, §5).
SCREENING_MOOD = ("PHQ-9",)
SCREENING_USE = ("AUDIT", "AUDIT-C", "DAST-10")
# Intake screening often happens just before the episode opens: it counts when given this many days before.
SCREENING_BEFORE_START = dt.timedelta(days=28)
# An inventory covers the important people: at least this many, or every person recorded when fewer.
INVENTORY_MINIMUM = 3


@dataclass(frozen=True)
class Task:
    key: str
    label: str
    done: bool
    url_name: str


@dataclass(frozen=True)
class Guidance:
    phase: str
    # Estimated from the start date and the contract's frequency while no session is recorded.
    estimated_session: int
    initial_phase_last_session: int
    sessions_left: int
    tasks: list[Task]
    overdue: bool

    ready_for_middle_phase: bool = False
    # From the recorded sessions (iptcare.therapy): how many were held, and the number and phase of the next one.
    held: int | None = None
    next_session: int = 1
    next_session_phase: str = ""
    termination: TerminationStatus | None = None
    measures_due: list[Due] = field(default_factory=list)
    # The status the session count and the work done point to, when it differs from the episode's.
    suggested_status: str = ""

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if not t.done]

    @property
    def sessions_recorded(self) -> bool:
        return self.held is not None


def estimated_session_number(episode: Episode, today: dt.date | None = None) -> int:
    """Counted from the contract's first session when there is a contract, else from the episode's start."""
    today = today or timezone.localdate()
    contract = Contract.objects.filter(episode=episode).first()
    first_session = contract.start_date if contract is not None else episode.start_date
    interval = {"weekly": 7, "fortnightly": 14, "monthly": 28}.get(contract.frequency, 7) if contract else 7
    if episode.format == Format.MAINTENANCE and contract is None:
        interval = 28
    if today < first_session:
        return 0
    return (today - first_session).days // interval + 1


def initial_phase_tasks(episode: Episode) -> list[Task]:
    """The initial phase's checklist, from a handful of queries."""
    client = episode.client
    screening_from = timezone.make_aware(dt.datetime.combine(episode.start_date - SCREENING_BEFORE_START, dt.time.min))
    given = set(
        Administration.objects.current()
        .filter(Q(episode=episode) | Q(client=client, episode__isnull=True, administered_at__gte=screening_from))
        .values_list("instrument_code", flat=True)
        .distinct()
    )
    assessment = Assessment.objects.filter(episode=episode).first()
    formulation = Formulation.objects.filter(episode=episode).first()
    contract = Contract.objects.filter(episode=episode).first()
    people_inventoried = InventoryEntry.objects.filter(episode=episode).values("person_id").distinct().count()
    people_recorded = client.people.count()
    areas = list(formulation.problem_areas.prefetch_related("goals")) if formulation else []
    return [
        Task(
            "history",
            str(_("History taken (use, mental health, social situation)")),
            bool(assessment and assessment.is_started) and episode.substance_histories.exists(),
            "assessment_edit",
        ),
        Task(
            "screening",
            str(_("Screening given: PHQ-9 and an alcohol or drug screen")),
            bool(given & set(SCREENING_MOOD)) and bool(given & set(SCREENING_USE)),
            "measures_overview",
        ),
        Task(
            "diagnosis",
            str(_("Diagnosis and psychoeducation given, with the PHQ-9 severity")),
            bool(assessment and assessment.diagnosis_explained_on) and bool(given & set(SCREENING_MOOD)),
            "assessment_edit",
        ),
        _medication_task(episode, assessment),
        Task(
            "inventory",
            str(_("Interpersonal inventory of the important people")),
            people_inventoried >= min(INVENTORY_MINIMUM, max(people_recorded, 1)),
            "inventory",
        ),
        Task(
            "sick_role",
            str(_("Sick role explained")),
            bool(formulation and formulation.sick_role_given_on),
            "formulation",
        ),
        Task("problem_area", str(_("One or two problem areas chosen")), 1 <= len(areas) <= 2, "formulation"),
        Task(
            "formulation",
            str(_("Formulation accepted by the client")),
            # Accepted, and about something: the written words and a problem area they name.
            bool(formulation and formulation.is_accepted and formulation.text.strip() and areas),
            "formulation",
        ),
        Task(
            "goals",
            str(_("Goals set for each problem area")),
            bool(areas) and all(area.goals.all() for area in areas),
            "formulation",
        ),
        Task("contract", str(_("Treatment contract signed")), bool(contract and contract.is_signed), "contract"),
    ]


def _medication_task(episode: Episode, assessment: Assessment | None) -> Task:
    """The physician records it on the assessment; with no physician on the care team, the task says to add one."""
    from iptcare.clients.models import TeamRole

    done = bool(assessment and assessment.medication_assessed_on)
    if done or episode.client.care_team.filter(team_role=TeamRole.PHYSICIAN).exists():
        return Task("medication", str(_("Medication assessed by a physician")), done, "assessment_edit")
    return Task(
        "medication",
        str(_("Medication assessed by a physician — no physician is on the care team yet: add one")),
        False,
        "care_team",
    )


def guidance_for(episode: Episode, today: dt.date | None = None) -> Guidance:
    """The phase engine: the phase from the format and the session number (IPT-DOMAIN §1), the tasks still due,
    the termination prompt from N−4 and its deadline at N−2, and the questionnaires due."""
    today = today or timezone.localdate()
    held = held_sessions(episode)
    estimated = estimated_session_number(episode, today)
    # The last session that took place: counted when sessions are recorded, else estimated from the calendar.
    current = held if held is not None else estimated
    last_initial = episode.initial_phase_last_session
    tasks = initial_phase_tasks(episode)
    in_initial_phase = episode.status in (EpisodeStatus.PLANNED, EpisodeStatus.ASSESSMENT)
    # Maintenance IPT has no initial phase (its work was done in the acute course): it is never overdue.
    past_initial = last_initial > 0 and (current >= last_initial if held is not None else current > last_initial)
    all_done = all(t.done for t in tasks)
    next_number = current + 1 if held is not None else max(current, 1)
    next_phase = phase_in_status(
        phase_of_session(episode.format, next_number, episode.planned_sessions), episode.status
    )
    termination = termination_status(
        episode.format, current, episode.planned_sessions, episode.termination_raised_on is not None
    )
    return Guidance(
        phase=episode.get_status_display(),
        estimated_session=estimated,
        initial_phase_last_session=last_initial,
        sessions_left=max(episode.planned_sessions - current, 0)
        if held is not None
        else max(episode.planned_sessions - max(estimated, 1) + 1, 0),
        tasks=tasks,
        overdue=in_initial_phase and past_initial and not all_done,
        ready_for_middle_phase=in_initial_phase and all_done,
        held=held,
        next_session=next_number,
        next_session_phase=str(PHASE_LABELS[next_phase]),
        termination=termination if episode.is_open else None,
        measures_due=_measures_due(episode, today),
        suggested_status=_suggested_status(episode, next_phase, all_done),
    )


def held_sessions(episode: Episode) -> int | None:
    """Sessions held so far, or None while the episode has no session recorded (then the calendar estimates)."""
    from iptcare.therapy.models import NUMBERED_KINDS, SessionStatus, TherapySession  # therapy builds on ipt

    counts = TherapySession.objects.filter(episode=episode, kind__in=NUMBERED_KINDS).aggregate(
        recorded=Count("pk"), held=Count("pk", filter=Q(status=SessionStatus.ATTENDED))
    )
    return counts["held"] if counts["recorded"] else None


def next_session_of(episode: Episode) -> Any:
    """The next scheduled IPT session (for group IPT, the group's next session), with its number, or None."""
    from iptcare.therapy.models import SessionKind, SessionStatus, TherapySession

    if episode.format == Format.GROUP:
        from iptcare.groups.selectors import next_group_session_of

        return next_group_session_of(episode)
    return (
        TherapySession.objects.filter(
            episode=episode,
            kind=SessionKind.SESSION,
            status=SessionStatus.SCHEDULED,
            scheduled_start__gte=timezone.now() - dt.timedelta(hours=2),
        )
        .with_numbers()
        .first()
    )


def _measures_due(episode: Episode, today: dt.date) -> list[Due]:
    if not episode.is_open:
        return []
    return [d for d in due_by_client([episode.client], today).get(episode.client_id, []) if d.state != "upcoming"]


def _suggested_status(episode: Episode, next_phase: str, initial_done: bool) -> str:
    """Where the episode's status should go next, going by the session count and the initial-phase work."""
    if episode.status == EpisodeStatus.ASSESSMENT and initial_done and next_phase != Phase.INITIAL:
        return EpisodeStatus.TREATMENT
    if episode.status == EpisodeStatus.TREATMENT and next_phase in (Phase.TERMINATION, Phase.BEYOND):
        return EpisodeStatus.CLOSURE
    return ""

"""Where an episode stands in IPT, and what is still due in its phase (IPT-DOMAIN §1).

The initial phase's tasks are due by its last session: history, screening measures, the diagnosis with
psychoeducation, the medication assessment by a physician, the sick role, the interpersonal inventory, one or two
problem areas, a formulation the client accepted, goals, and a signed contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iptcare.ipt.models import Assessment, Contract, Episode, EpisodeStatus, Format, Formulation, InventoryEntry
from iptcare.measures.models import Administration

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
    # Estimated from the start date and the contract's frequency until sessions are recorded (issue 5).
    estimated_session: int
    initial_phase_last_session: int
    sessions_left: int
    tasks: list[Task]
    overdue: bool

    ready_for_middle_phase: bool = False

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if not t.done]


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
        Task(
            "medication",
            str(_("Medication assessed by a physician")),
            bool(assessment and assessment.medication_assessed_on),
            "assessment_edit",
        ),
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


def guidance_for(episode: Episode, today: dt.date | None = None) -> Guidance:
    session = estimated_session_number(episode, today)
    last_initial = episode.initial_phase_last_session
    tasks = initial_phase_tasks(episode)
    in_initial_phase = episode.status in (EpisodeStatus.PLANNED, EpisodeStatus.ASSESSMENT)
    overdue = in_initial_phase and session > last_initial and any(not t.done for t in tasks)
    return Guidance(
        phase=episode.get_status_display(),
        estimated_session=session,
        initial_phase_last_session=last_initial,
        sessions_left=max(episode.planned_sessions - session + 1, 0),
        tasks=tasks,
        overdue=overdue,
        ready_for_middle_phase=in_initial_phase and all(t.done for t in tasks),
    )

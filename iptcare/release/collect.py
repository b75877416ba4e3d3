"""What each category of information contains when records are released (exported or read by an outside
recipient). One function per DataCategory, each a fixed number of queries whatever the size of the record.

SUD counselling notes are never released through here (42 CFR §2.31(b): they are not part of exports or TPO
disclosures); free text of session notes is not either: "a summary of session notes" is the date, problem-area
focus and IPT techniques of each signed note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iptcare.clients.models import Client, Condition, Substance
from iptcare.consent.models import DataCategory
from iptcare.ipt.models import Assessment, Goal, SubstanceHistory
from iptcare.measures.models import Administration
from iptcare.plans.models import PlanStatus, RelapsePreventionPlan, SafetyPlan
from iptcare.substance_use.models import UseDay
from iptcare.therapy.models import SessionNote, TherapySession


def _labels(values: list[str], choices: Any) -> list[str]:
    return [str(choices(value).label) if value in choices.values else value for value in values]


def demographics(client: Client) -> dict[str, Any]:
    return {
        "identifier": client.identifier,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "preferred_name": client.preferred_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex_at_birth": client.get_sex_at_birth_display(),
        "gender_identity": client.get_gender_identity_display() if client.gender_identity else "",
        "pronouns": client.pronouns,
        "email": str(client.email),
        "phone": str(client.phone),
        "address": str(client.address),
        "status": client.get_status_display(),
    }


def diagnoses(client: Client) -> dict[str, Any]:
    histories = SubstanceHistory.objects.filter(episode__client=client).order_by("episode_id", "substance")
    return {
        "primary_substances": _labels(client.primary_substances, Substance),
        "co_occurring_conditions": _labels(client.co_occurring_conditions, Condition),
        "substance_histories": [
            {
                "substance": _labels([history.substance], Substance)[0],
                "age_at_first_use": history.age_at_first_use,
                "last_use": history.last_use.isoformat() if history.last_use else None,
                "overdoses": history.overdoses,
            }
            for history in histories
        ],
    }


def medications(client: Client) -> list[dict[str, Any]]:
    assessments = Assessment.objects.filter(episode__client=client).order_by("episode__start_date")
    return [
        {
            "episode_start": assessment.episode.start_date.isoformat(),
            "medications": assessment.medications,
            "assessed_on": assessment.medication_assessed_on.isoformat() if assessment.medication_assessed_on else None,
        }
        for assessment in assessments.select_related("episode")
        if assessment.medications or assessment.medication_assessed_on
    ]


def measures(client: Client) -> list[dict[str, Any]]:
    given = Administration.objects.filter(client=client, corrected_by__isnull=True).order_by("administered_at", "id")
    return [
        {
            "instrument": administration.instrument_code,
            "date": administration.administered_at.date().isoformat(),
            "total": administration.total,
            "band": administration.band,
            "positive": administration.positive,
        }
        for administration in given
    ]


def substance_use(client: Client) -> list[dict[str, Any]]:
    days = UseDay.objects.filter(client=client).order_by("date", "substance")
    return [
        {"date": day.date.isoformat(), "substance": _labels([day.substance], Substance)[0], "used": day.used}
        for day in days
    ]


def session_summary(client: Client) -> list[dict[str, Any]]:
    notes = (
        SessionNote.objects.filter(session__episode__client=client, signed_at__isnull=False)
        .select_related("session", "problem_area")
        .order_by("session__scheduled_start")
    )
    return [
        {
            "date": note.session.scheduled_start.date().isoformat(),
            "focus": note.problem_area.get_kind_display() if note.problem_area else "",
            "techniques": list(note.techniques),
        }
        for note in notes
    ]


def treatment_plan(client: Client) -> dict[str, Any]:
    goals = Goal.objects.filter(problem_area__formulation__episode__client=client).select_related("problem_area")
    plans = [
        {"kind": plan_model.kind, "version": plan.version, "finalised": plan.finalised_at.date().isoformat()}
        | plan.parsed().model_dump(mode="json")
        for plan_model in (RelapsePreventionPlan, SafetyPlan)
        for plan in plan_model.objects.filter(client=client, status=PlanStatus.FINAL).order_by("-version")[:1]
    ]
    return {
        "problem_areas_and_goals": [
            {
                "problem_area": goal.problem_area.get_kind_display(),
                "goal": goal.description,
                "status": goal.get_status_display(),
            }
            for goal in goals.order_by("problem_area_id", "id")
        ],
        "plans": plans,
    }


def relationships(client: Client) -> list[dict[str, Any]]:
    return [
        {
            "name": person.name,
            "relationship": person.get_relationship_type_display(),
            "support_contact": person.is_support_contact,
            "phone": str(person.phone) if person.is_support_contact else "",
        }
        for person in client.people.order_by("name")
    ]


def attendance(client: Client) -> list[dict[str, Any]]:
    sessions = TherapySession.objects.filter(episode__client=client).order_by("scheduled_start")
    return [
        {
            "date": session.scheduled_start.isoformat(),
            "minutes": session.minutes,
            "status": session.get_status_display(),
        }
        for session in sessions
    ]


COLLECTORS: dict[str, Callable[[Client], Any]] = {
    DataCategory.DEMOGRAPHICS: demographics,
    DataCategory.DIAGNOSES: diagnoses,
    DataCategory.MEDICATIONS: medications,
    DataCategory.MEASURES: measures,
    DataCategory.SUBSTANCE_USE: substance_use,
    DataCategory.SESSION_SUMMARY: session_summary,
    DataCategory.TREATMENT_PLAN: treatment_plan,
    DataCategory.RELATIONSHIPS: relationships,
    DataCategory.ATTENDANCE: attendance,
}
# Categories that can be released at all. Counselling notes are deliberately absent.
RELEASABLE = tuple(COLLECTORS)


def collect_records(client: Client, categories: list[str]) -> dict[str, Any]:
    """The client's records in the given categories, in category order. Unknown categories are an error."""
    unknown = [c for c in categories if c not in COLLECTORS]
    if unknown:
        raise ValueError(f"These categories cannot be released: {', '.join(unknown)}")
    return {category: COLLECTORS[category](client) for category in RELEASABLE if category in categories}

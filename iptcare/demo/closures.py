"""The demo clinic's closed courses (issue 5 part 9): a whole course held and signed, the PHQ-9 and GAD-7 given
along the way, use recorded before the course and in the last weeks, a final relapse-prevention plan built from
the suggestions (iptcare/plans/demo.py), and the closure with its decision. Everything goes through the actions.

The discharged clients get the courses of data_sessions.CLOSED_COURSES in turn (completed, a responder; referred
elsewhere for non-response; a completed brief course; a completed course with a partial response); the last
active client gets MAINTENANCE_COURSE: its acute course closes with the decision "maintenance" and a monthly
maintenance episode opens (one closed episode in one format and one open in another).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from iptcare.clients.actions import do_update_client
from iptcare.clients.models import Client, ClientStatus, Substance
from iptcare.demo import data_sessions as texts
from iptcare.demo.sessions import EpisodeStory, SessionHistory, Specials
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.actions_formulation import do_save_contract, do_sign_contract, suggested_end_date
from iptcare.ipt.models import Episode, Format, Frequency
from iptcare.measures.actions import do_apply_standard_schedule, do_record_administration
from iptcare.plans.actions_closure import do_record_closure, goals_of
from iptcare.plans.demo import build_final_plan
from iptcare.plans.models import EpisodeClosure
from iptcare.substance_use.actions import DayEntry, SubstanceEntry, do_record_use_days
from iptcare.substance_use.models import DayStatus, Unit
from iptcare.therapy.actions import do_generate_sessions
from iptcare.therapy.models import SessionStatus, TherapySession

if TYPE_CHECKING:
    from iptcare.accounts.models import User

# The use calendar's windows that a closure compares (iptcare/plans/outcomes.py): the four weeks before the course,
# and the last four weeks.
USE_WINDOW_DAYS = 28


def answers_for(total: int, items: int) -> dict[str, int]:
    """Answers 0-3 adding up to `total`, spread over the items with the last item (PHQ-9 item 9) kept at 0."""
    answers = {str(n): 0 for n in range(1, items + 1)}
    left = total
    for n in range(1, items):
        answers[str(n)] = min(3, left)
        left -= answers[str(n)]
    return answers


def close_course(story: EpisodeStory, course: dict[str, Any], specials: Specials) -> EpisodeClosure:
    """Hold and sign every session, give the measures, record use, finalise the plan and record the closure."""
    episode, therapist = story.episode, story.therapist
    # The use calendar first, so that the notes' use since the last session is pre-filled from it.
    _use_history(episode.client, episode.start_date, therapist, non_responder=course["decision"] == "refer")
    SessionHistory(story, specials).build()
    held = list(
        TherapySession.objects.filter(episode=episode, status=SessionStatus.ATTENDED).order_by("scheduled_start")
    )
    _measures(episode.client, held, course, therapist)
    last_day = timezone.localdate(held[-1].scheduled_start)
    plan = build_final_plan(episode, acting_user=therapist)
    maintenance_start = last_day + dt.timedelta(weeks=4)

    def fill(text: str) -> str:
        return text.format(**(story.words | {"date": maintenance_start.isoformat()}))

    data = {
        "decision": course["decision"],
        "feelings_about_ending": course["feelings"],
        "what_helped": fill(course.get("what_helped") or texts.HELPED[story.story]),
        "aftercare": fill(course["aftercare"]),
        "booster_dates": plan.parsed().booster_sessions.dates,
        "referral_to": course.get("referral_to", ""),
        "notes": course["notes"],
    }
    reviews = course["goals"]
    statuses = {goal.pk: reviews[min(n, len(reviews) - 1)] for n, goal in enumerate(goals_of(episode))}
    closure = do_record_closure(episode, data, statuses, acting_user=therapist)
    if course["decision"] == "maintenance":
        _open_maintenance(story, course, maintenance_start)
    elif episode.client.status == ClientStatus.DISCHARGED:
        # Discharged at the end of the course: the status's date is corrected to the last session.
        do_update_client(episode.client, {"status_since": last_day}, acting_user=therapist)
    return closure


def _is_active(client: Client) -> bool:
    return client.status == ClientStatus.ACTIVE


def _measures(client: Client, held: list[TherapySession], course: dict[str, Any], therapist: User) -> None:
    """The course's PHQ-9 and GAD-7 totals, spread from the first session to the last, given in the session."""
    if _is_active(client):
        do_apply_standard_schedule(client, acting_user=therapist)
    for code, items, totals in (("PHQ-9", 9, course["phq9"]), ("GAD-7", 7, course["gad7"])):
        for n, total in enumerate(totals):
            session = held[round(n * (len(held) - 1) / (len(totals) - 1))]
            do_record_administration(
                client,
                code,
                answers_for(total, items),
                acting_user=therapist,
                administered_at=session.scheduled_start + dt.timedelta(minutes=5),
                notify=False,
            )


def _use_history(client: Client, start: dt.date, therapist: User, *, non_responder: bool) -> None:
    """Heavy use on three days in four before the course; then, for a discharged client, the last four weeks
    (an active client's recent weeks are already in the demo's use history). A non-responder still uses on one day
    in four: never after a week of abstinence, so no lapse alert is raised."""
    substance = next((s for s in client.primary_substances if s in Substance.values), Substance.ALCOHOL)
    backs = range(USE_WINDOW_DAYS, 0, -1)
    entries = [_day(start - dt.timedelta(days=back), substance, used=back % 4 != 0) for back in backs]
    if not _is_active(client):
        today = timezone.localdate()
        for back in range(USE_WINDOW_DAYS, 0, -1):
            if back % 10 == 0:
                continue  # a day not recorded
            entries.append(_day(today - dt.timedelta(days=back), substance, used=non_responder and back % 4 == 0))
    do_record_use_days(client, entries, acting_user=therapist, notify=False)


def _day(day: dt.date, substance: str, *, used: bool) -> DayEntry:
    if not used:
        return DayEntry(day, DayStatus.NO_USE, (SubstanceEntry(substance, used=False),))
    if substance == Substance.ALCOHOL:
        entry = SubstanceEntry(substance, used=True, amount=Decimal(7), unit=Unit.STANDARD_DRINKS)
    else:
        entry = SubstanceEntry(substance, used=True)
    return DayEntry(day, DayStatus.USED, (entry,))


def _open_maintenance(story: EpisodeStory, course: dict[str, Any], start: dt.date) -> Episode:
    """Monthly maintenance IPT, four weeks after the last acute session, in the same weekly slot: a signed
    contract and its sessions booked; the episode is planned until its first session."""
    acute, therapist = story.episode, story.therapist
    sessions = course["maintenance_sessions"]
    episode = do_open_episode(
        acute.client,
        format_=Format.MAINTENANCE,
        primary_therapist=therapist,
        acting_user=therapist,
        planned_sessions=sessions,
        session_minutes=acute.session_minutes,
        start_date=start,
    )
    focus = texts.MAINTENANCE_FOCUS.format(focus=texts.FOCUS_WORDS[story.story].format(**story.words))
    contract = do_save_contract(
        episode,
        {
            "sessions": sessions,
            "session_minutes": acute.session_minutes,
            "frequency": Frequency.MONTHLY,
            "start_date": start,
            "end_date": suggested_end_date(start, sessions, Frequency.MONTHLY),
            "focus": focus,
        },
        modalities=[],
        acting_user=therapist,
    )
    do_sign_contract(
        contract,
        therapist_signature=therapist.full_name,
        client_signature=acute.client.legal_name,
        acting_user=therapist,
    )
    do_generate_sessions(episode, time_of_day=story.slot.time, acting_user=therapist)
    return episode

"""The demo clinic's sessions and notes (issue 5 part 9), built through the therapy actions the way a therapist
would use the pages, so the audit trail reads like real use.

- Each therapist has weekly slots (a weekday and a time of day, see data_sessions.SESSION_TIMES); every episode
  keeps one slot, so no two sessions of a therapist ever clash. The demo therapist has three episodes on today's
  weekday, so their day view is never empty.
- Episodes in treatment: the contract's sessions are generated (past ones included); past sessions are attended,
  except about one in eight after the initial phase, missed or cancelled, each made up at the end of the course.
  One client of the demo therapist missed the last two sessions: the missed-sessions alert.
- Episodes in assessment: their first sessions are held one week apart, and the next one is booked.
- Every attended session has a note tied to the episode's story and problem area; notes are signed, except the
  latest of a few episodes (drafts). One note records a non-IPT technique (a supervision flag), one signed note has
  an amendment, and near the end of a course termination is raised at session N−4 to N−2.

Random choices come from a generator seeded with the client's identifier, so a run is deterministic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from iptcare.demo import data_sessions as texts
from iptcare.ipt.actions import do_change_episode_status, do_record_termination_raised
from iptcare.ipt.models import Episode, EpisodeStatus, ProblemArea, ProblemAreaKind
from iptcare.ipt.phases import TERMINATION_PROMPT_BEFORE_END, Phase, phase_of_session
from iptcare.plans.actions import (
    do_add_plan_suggestions,
    do_finalise_plan,
    do_save_plan_section,
    do_start_plan_version,
)
from iptcare.plans.models import SafetyPlan, VersionedPlan
from iptcare.plans.suggestions import suggestions_for_section
from iptcare.therapy.actions import (
    do_add_session,
    do_cancel_session,
    do_generate_sessions,
    do_mark_attended,
    do_mark_missed,
    do_reschedule_session,
    local_start,
)
from iptcare.therapy.actions_notes import do_add_incident, do_amend_note, do_save_note_draft, do_sign_note
from iptcare.therapy.models import AmendableField, RiskReview, TherapySession
from iptcare.therapy.prefill import prefill_for

if TYPE_CHECKING:
    from iptcare.accounts.models import User
    from iptcare.clients.models import Person

# How many of the demo therapist's episodes meet on today's weekday: in treatment, and in assessment.
TODAY_IN_TREATMENT, TODAY_IN_ASSESSMENT = 2, 1
# The latest note of every second episode in treatment (seen in the last week) stays a draft, at most this many.
MAX_DRAFTS = 3
# Where the episode's story is told, per kind of problem area (the second area of a dispute or grief episode is
# the move into recovery).
STORY_OF_AREA = {ProblemAreaKind.ROLE_TRANSITION: "recovery"}


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class Slot:
    """A weekly appointment: the weekday (Monday = 0) and the time of day."""

    weekday: int
    time: dt.time

    def days_ago(self, today: dt.date) -> int:
        """How many days ago this weekday last came round (0: today)."""
        return (today.weekday() - self.weekday) % 7


class Diary:
    """The therapists' weekly slots: each episode takes one, and no two episodes of a therapist share one."""

    def __init__(self, staff: dict[str, User], today: dt.date, rng: random.Random) -> None:
        self.today, self.rng = today, rng
        self.demo_therapist = staff["therapist"]
        self.times = {staff[role].pk: [_time(text) for text in times] for role, times in texts.SESSION_TIMES.items()}
        self.default_times = self.times[staff["counsellor"].pk]
        self.taken: set[tuple[int, int, dt.time]] = set()
        self.on_today = Counter[bool]()

    def slot_for(self, therapist: User, *, in_treatment: bool, may_meet_today: bool) -> Slot:
        """A free weekday slot (Monday to Friday). The demo therapist's first episodes that may meet today take
        today's weekday, whatever day it is; their other episodes never do, so today holds exactly those. An
        episode that may not meet today (a closed course, a brief one in its first week) never gets today's
        weekday."""
        wanted = TODAY_IN_TREATMENT if in_treatment else TODAY_IN_ASSESSMENT
        today = self.today.weekday()
        is_demo_therapist = therapist.pk == self.demo_therapist.pk
        if is_demo_therapist and may_meet_today and self.on_today[in_treatment] < wanted:
            self.on_today[in_treatment] += 1
            weekdays = [today]
        elif is_demo_therapist or not may_meet_today:
            weekdays = [day for day in range(5) if day != today]
        else:
            weekdays = list(range(5))
        times = self.times.get(therapist.pk, self.default_times)

        def free(days: list[int]) -> list[Slot]:
            return [Slot(day, time) for day in days for time in times if (therapist.pk, day, time) not in self.taken]

        # A full week (about thirty episodes) spills over into the weekend.
        slot = self.rng.choice(free(weekdays) or free([day for day in range(7) if day != today]))
        self.taken.add((therapist.pk, slot.weekday, slot.time))
        return slot


@dataclass
class Specials:
    """What the demo shows once, given to the first episode that fits."""

    demo_therapist_id: int
    counsellor_id: int
    draft_candidates: int = 0
    drafts: int = 0
    missed_twice: bool = False
    flagged: bool = False
    amended: bool = False
    rescheduled: set[int] = field(default_factory=set)


@dataclass
class EpisodeStory:
    """What the notes of one episode are written from (filled by the demo command's _DemoEpisode)."""

    episode: Episode
    therapist: User
    story: str
    words: dict[str, Any]
    roles: dict[str, Person | None]
    areas: list[ProblemArea]
    slot: Slot
    # The mood's course over the sessions: improving, flat, worsening or slow (the PHQ-9 course of the client).
    mood_course: str
    meets_today: bool = False
    # The people of the inventory, closest first.
    people: list[Person] = field(default_factory=list)
    # The client with the open PHQ-9 item-9 alert: a moderate risk review and a safety plan.
    item9: bool = False
    # A closed course: every session held and signed, termination raised, and no one-offs.
    closing: bool = False


class SessionHistory:
    """The sessions and notes of one episode."""

    def __init__(self, story: EpisodeStory, specials: Specials) -> None:
        self.s, self.specials = story, specials
        self.episode, self.therapist = story.episode, story.therapist
        self.rng = random.Random(f"sessions {story.episode.client.identifier} {story.episode.format}")
        self.events = self._event_cycle()
        self.homework = ""
        self.now = timezone.now()
        self.today = timezone.localdate()

    # ------------------------------------------------------------------------------------------------ schedules

    def build(self) -> None:
        if self.episode.status == EpisodeStatus.ASSESSMENT:
            self._assessment_sessions()
        else:
            self._treatment_sessions()
        if self.s.item9:
            build_safety_plan(self.s)

    def _assessment_sessions(self) -> None:
        """Weekly from the start: the sessions that are over were held, and the next one is booked."""
        length = dt.timedelta(minutes=self.episode.session_minutes)
        starts = []
        start = local_start(self.episode.start_date, self.s.slot.time)
        while start + length <= self.now:
            starts.append(start)
            start = local_start(timezone.localdate(start) + dt.timedelta(weeks=1), self.s.slot.time)
        for number, held in enumerate([*starts, start], start=1):
            session = do_add_session(
                self.episode,
                scheduled_start=held,
                minutes=self.episode.session_minutes,
                therapist=self.therapist,
                acting_user=self.therapist,
            )
            if number <= len(starts):
                do_mark_attended(session, acting_user=self.therapist)
                self._note(session, number, draft=False, last=number == len(starts))

    def _treatment_sessions(self) -> None:
        episode, therapist = self.episode, self.therapist
        generated = do_generate_sessions(
            episode, time_of_day=self.s.slot.time, acting_user=therapist, include_past=True
        ).created
        sessions = sorted(generated, key=lambda s: s.scheduled_start)
        past = [s for s in sessions if s.ends_at <= self.now]
        outcomes, missed_twice = self._outcomes(past)
        held = outcomes.count("attended")
        raised = self._termination_raised_at(held)
        last_held = max(
            (s.scheduled_start for s, o in zip(past, outcomes, strict=True) if o == "attended"), default=None
        )
        draft = not missed_twice and self._keeps_a_draft(last_held)
        number = 0
        raised_on = None
        for session, outcome in zip(past, outcomes, strict=True):
            if outcome == "attended":
                do_mark_attended(session, acting_user=therapist)
                number += 1
                raised_on = timezone.localdate(session.scheduled_start) if number == raised else raised_on
                last = number == held
                self._note(session, number, draft=draft and last, last=last, raised=number == raised)
            elif outcome == "missed":
                do_mark_missed(session, acting_user=therapist, notify=False)
            else:
                cancelled_by = outcome.removeprefix("cancelled:")
                reason = self.rng.choice(texts.CANCEL_REASONS[cancelled_by])
                do_cancel_session(session, cancelled_by=cancelled_by, reason=reason, acting_user=therapist)
        if raised_on is not None:
            do_record_termination_raised(episode, raised_on, acting_user=therapist)
        lost = 0 if missed_twice else sum(1 for outcome in outcomes if outcome != "attended")
        self._make_up(sessions[-1], lost)
        self._reschedule_one([s for s in sessions if s.scheduled_start > self.now])
        following = phase_of_session(episode.format, held + 1, episode.planned_sessions)
        if following in (Phase.TERMINATION, Phase.BEYOND):
            do_change_episode_status(
                episode,
                EpisodeStatus.CLOSURE,
                acting_user=therapist,
                note="The last sessions of the course: termination phase.",
            )

    def _outcomes(self, past: list[TherapySession]) -> tuple[list[str], bool]:
        """attended, missed or cancelled:<by whom> for each past session. The initial phase and today's session are
        always held; two misses in a row (cancellations aside) only for the one client meant to raise the alert."""
        outcomes = ["attended"] * len(past)
        last_initial = self.episode.initial_phase_last_session
        if self.s.closing:
            return outcomes, False
        if self._misses_twice(past):
            outcomes[-2:] = ["missed", "missed"]
            return outcomes, True
        previous_missed = False
        for index in range(last_initial, len(past)):
            if timezone.localdate(past[index].scheduled_start) == self.today:
                continue
            if self.rng.random() >= texts.LOST_SESSION_RATE:
                previous_missed = False
                continue
            draw = self.rng.random()
            if draw < 0.5 and not previous_missed:
                outcomes[index], previous_missed = "missed", True
            else:
                by = "client" if draw < 0.85 else ("therapist" if draw < 0.95 else "program")
                outcomes[index] = f"cancelled:{by}"
        return outcomes, False

    def _misses_twice(self, past: list[TherapySession]) -> bool:
        """The first of the demo therapist's episodes in treatment that has two middle-phase sessions to miss,
        and no session today (the day view shows who came)."""
        fits = (
            not self.specials.missed_twice
            and self.therapist.pk == self.specials.demo_therapist_id
            and not self.s.meets_today
            and not self.s.item9
            and len(past) >= self.episode.initial_phase_last_session + 2
        )
        if fits:
            self.specials.missed_twice = True
        return fits

    def _termination_raised_at(self, held: int) -> int | None:
        """The session at which the end of treatment is raised: N−4 or N−3 once the course gets there (so none is
        late at N−2); an episode just at N−4 has it raised half the time, the other half shows the prompt."""
        contracted = self.episode.planned_sessions
        prompt = contracted - TERMINATION_PROMPT_BEFORE_END
        if held >= prompt + 1:
            return self.rng.choice([prompt, prompt + 1])
        if held == prompt and self.rng.random() < 0.5:
            return prompt
        return None

    def _keeps_a_draft(self, last_held: dt.datetime | None) -> bool:
        """The latest note of every second episode in treatment whose latest session was in the last week is not
        signed yet (never the item-9 client's, whose latest note records the risk review)."""
        recent = last_held is not None and last_held >= self.now - dt.timedelta(days=7)
        if self.s.closing or self.s.item9 or not recent:
            return False
        self.specials.draft_candidates += 1
        keeps = self.specials.draft_candidates % 2 == 0 and self.specials.drafts < MAX_DRAFTS
        self.specials.drafts += keeps
        return keeps

    def _make_up(self, last: TherapySession, lost: int) -> None:
        """A missed or cancelled session is made up after the course's last one, in the same slot."""
        day = timezone.localdate(last.scheduled_start)
        for week in range(1, lost + 1):
            do_add_session(
                self.episode,
                scheduled_start=local_start(day + dt.timedelta(weeks=week), self.s.slot.time),
                minutes=self.episode.session_minutes,
                therapist=self.therapist,
                acting_user=self.therapist,
            )

    def _reschedule_one(self, upcoming: list[TherapySession]) -> None:
        """One upcoming session per therapist moves to an hour before their day starts."""
        later = [s for s in upcoming if timezone.localdate(s.scheduled_start) > self.today]
        if self.therapist.pk in self.specials.rescheduled or not later or self.rng.random() > 0.3:
            return
        self.specials.rescheduled.add(self.therapist.pk)
        session = later[0]
        role = "therapist" if self.therapist.pk == self.specials.demo_therapist_id else "counsellor"
        first = _time(texts.SESSION_TIMES[role][0])
        do_reschedule_session(
            session,
            scheduled_start=local_start(
                timezone.localdate(session.scheduled_start), first.replace(hour=first.hour - 1)
            ),
            acting_user=self.therapist,
            reason=texts.RESCHEDULE_REASON,
        )

    # ------------------------------------------------------------------------------------------------ notes

    def _fill(self, template: str, **more: Any) -> str:
        return template.format(**(self.s.words | more))

    def _event_cycle(self) -> dict[str, list[dict[str, Any]]]:
        cycles = {}
        for story, events in texts.MIDDLE_EVENTS.items():
            events = list(events)
            self.rng.shuffle(events)
            cycles[story] = events
        return cycles

    def _next_event(self, story: str) -> dict[str, Any]:
        events = self.events[story]
        event = events.pop(0)
        events.append(event)
        return event

    def _mood(self, number: int) -> int:
        course = self.s.mood_course
        base = {
            "improving": 3 + 0.5 * number,
            "flat": 4.0,
            "worsening": 6 - 0.4 * number,
            "slow": 3.5 + 0.25 * number,
        }.get(course, 4.0)
        return max(1, min(9, round(base + self.rng.choice([-1, 0, 0, 1]))))

    def _use(self, session: TherapySession, number: int, event: dict[str, Any] | None) -> tuple[int, str, str]:
        """Days of use since the last session, its summary, and the sentence of the interval history: from the use
        calendar when the window has recorded days (as the note's pre-fill offers them), else the client's word."""
        prefill = prefill_for(session)
        if prefill.use_days is not None:
            days, summary = prefill.use_days, prefill.use_summary
        else:
            if number <= self.episode.initial_phase_last_session:
                choices = [0, 1, 2, 3]
            else:
                choices = {"worsening": [0, 1, 2, 3], "flat": [0, 0, 1, 2]}.get(self.s.mood_course, [0, 0, 0, 0, 1])
            days = self.rng.choice(choices)
            what = f"{self.s.words['substance']} use on {days} day{'s' if days != 1 else ''}" if days else "no use"
            summary = self._fill(texts.USE_SUMMARY, what=what)
        if days:
            link = event["link"] if event else "mostly in the evenings"
            sentence = self._fill(
                texts.USE_SENTENCE,
                Substance=str(self.s.words["substance"]).capitalize(),
                days=days,
                day_word="day" if days == 1 else "days",
                link=self._fill(link),
            )
        else:
            sentence = self._fill(texts.NO_USE_SENTENCE, instead=self._fill(event.get("instead", "")) if event else "")
        return days, summary, sentence

    def _area(self, number: int, middle_count: int) -> ProblemArea | None:
        """The first problem area from the formulation's session on; every third middle session turns to the
        second area when there is one."""
        areas = self.s.areas
        if not areas or number < self.episode.initial_phase_last_session:
            return None
        if len(areas) > 1 and middle_count % 3 == 2:
            return areas[1]
        return areas[0]

    def _note(self, session: TherapySession, number: int, *, draft: bool, last: bool, raised: bool = False) -> None:
        """Write the note of an attended session (`last`: the latest one held), and sign it unless `draft`."""
        episode = self.episode
        contracted = episode.planned_sessions
        phase = phase_of_session(episode.format, number, contracted)
        in_assessment = not self.s.areas
        last_initial = episode.initial_phase_last_session
        middle_count = number - last_initial
        area = self._area(number, middle_count)
        event = None
        incident: tuple[str, str, str, str] | None = None
        homework_set = ""
        flagged = False
        if phase == Phase.INITIAL or in_assessment:
            body, techniques, plan = self._initial(number)
        elif phase in (Phase.TERMINATION, Phase.BEYOND):
            body = self._termination(number)
            techniques = ["clarification", "encouragement_of_affect"]
            plan = texts.TERMINATION_PLAN
        else:
            story = STORY_OF_AREA.get(area.kind, self.s.story) if area != self.s.areas[0] else self.s.story
            event = self._next_event(story)
            body = self._fill(event["history"])
            techniques = self.rng.sample(texts.AREA_TECHNIQUES[area.kind], k=self.rng.choice([2, 2, 3]))
            plan = self._fill(self.rng.choice(texts.NEXT_SESSION_PLANS[area.kind]))
            if event.get("incident") and self.s.roles.get(event["incident"][0]) and self.rng.random() < 0.75:
                incident = event["incident"]
                techniques.append("communication_analysis")
            if self.rng.random() < 0.35:
                homework_set = self._fill(self.rng.choice(texts.HOMEWORK[area.kind]))
                techniques.append("homework")
            flagged = self._is_flagged(middle_count, draft or raised)
            if flagged:
                body += " " + self._fill(texts.FLAGGED_SESSION, focus=self._fill(texts.FOCUS_WORDS[self.s.story]))
                techniques, plan = ["cognitive_restructuring", "clarification"], texts.FLAGGED_PLAN
        days, summary, use_sentence = self._use(session, number, event)
        mood = self._mood(number)
        history = f"{body} {use_sentence} {self._fill(texts.MOOD_SENTENCE, mood=mood)}"
        if raised:
            left = contracted - number
            feeling = self.rng.choice(texts.ENDING_FEELINGS)
            history += self._fill(texts.TERMINATION_RAISED, left=left, feeling=feeling)
        risk, risk_notes = self._risk(number, last)
        values: dict[str, Any] = {
            "interval_history": history,
            "mood": mood,
            "use_days": days,
            "use_summary": summary,
            "problem_area": area,
            "dispute_stage": area.dispute_stage if area and area.kind == ProblemAreaKind.ROLE_DISPUTE else "",
            "techniques": list(dict.fromkeys(techniques)),
            "homework_reviewed": self._fill(self.rng.choice(texts.HOMEWORK_REVIEWS), homework=self.homework)
            if self.homework
            else "",
            "homework_set": homework_set,
        }
        if not draft:
            # A draft is written as the session ends; the risk review and the plan come before signing.
            values |= {"risk_review": risk, "risk_notes": risk_notes, "next_session_plan": plan}
        self.homework = homework_set
        do_save_note_draft(session, values, acting_user=self.therapist)
        if incident is not None:
            role, what, affect, analysis = incident
            do_add_incident(
                session,
                {
                    "person": self.s.roles[role],
                    "what_happened": self._fill(what),
                    "affect": affect,
                    "communication_analysis": self._fill(analysis),
                },
                acting_user=self.therapist,
            )
        if draft:
            return
        do_sign_note(session, signature=self.therapist.full_name, acting_user=self.therapist)
        if not flagged and phase == Phase.MIDDLE and self._amends():
            do_amend_note(
                session,
                field=AmendableField.USE,
                text=self._fill(texts.AMENDMENT_TEXT),
                reason=texts.AMENDMENT_REASON,
                acting_user=self.therapist,
            )

    def _initial(self, number: int) -> tuple[str, list[str], str]:
        """Session 1 (history, diagnosis, sick role), the inventory, then the formulation and contract at the last
        initial session; an episode still in assessment past its initial phase has not agreed its focus yet."""
        episode = self.episode
        last_initial = episode.initial_phase_last_session
        techniques = list(self.rng.choice(texts.INITIAL_TECHNIQUES))
        focus = self._fill(texts.FOCUS_WORDS[self.s.story])
        if number == 1:
            body = self._fill(
                texts.FIRST_SESSION,
                story=self._fill(texts.FIRST_SESSION_STORY[self.s.story]),
                excuse=self.rng.choice(texts.SICK_ROLE_EXCUSES),
            )
            return body, techniques, texts.INITIAL_PLANS[1]
        people = ", ".join(p.name for p in self.s.people[:4])
        inventory = self._fill(texts.INVENTORY_SESSION, people=people)
        if self.s.areas and number == last_initial:
            formulation = self._fill(
                texts.FORMULATION_SESSION,
                quote=self._fill(texts.FORMULATION_QUOTES[self.s.story]),
                sessions=episode.planned_sessions,
                focus=focus,
            )
            body = f"{inventory} {formulation}" if number == 2 else formulation
            plan = f"Middle phase: start work on {focus}."
            return body, [*techniques, "clarification"], plan
        if number == 2:
            return inventory, techniques, texts.INITIAL_PLANS[2]
        person = self.rng.choice(self.s.people)
        body = self._fill(texts.UNDECIDED_SESSION, person=person.name, focus=focus)
        return body, techniques, texts.INITIAL_PLANS["undecided"]

    def _termination(self, number: int) -> str:
        contracted = self.episode.planned_sessions
        change = self._fill(texts.CHANGES[self.s.story])
        if number >= contracted:
            return self._fill(texts.LAST_SESSION, helped=self._fill(texts.HELPED[self.s.story]))
        template = texts.TERMINATION_SESSIONS[(contracted - number) % len(texts.TERMINATION_SESSIONS)]
        return self._fill(template, change=change)

    def _risk(self, number: int, last: bool) -> tuple[str, str]:
        if self.s.item9 and last:
            return RiskReview.MODERATE, texts.ITEM9_RISK_NOTES
        chance = 0.25 if self.s.mood_course == "worsening" else 0.1
        if number > 1 and self.rng.random() < chance:
            return RiskReview.LOW, self._fill(self.rng.choice(texts.LOW_RISK_NOTES))
        return RiskReview.NONE, ""

    def _is_flagged(self, middle_count: int, busy: bool) -> bool:
        """The counsellor's second middle session of their first episode in treatment (not a draft, nor the
        session where termination is raised)."""
        fits = (
            not self.specials.flagged
            and not self.s.closing
            and not busy
            and self.therapist.pk == self.specials.counsellor_id
            and middle_count == 2
        )
        self.specials.flagged = self.specials.flagged or fits
        return fits

    def _amends(self) -> bool:
        """The first signed middle-phase note of the demo therapist's episodes (the item-9 client's aside)."""
        fits = not self.specials.amended and not self.s.item9 and not self.s.closing
        fits = fits and self.therapist.pk == self.specials.demo_therapist_id
        self.specials.amended = self.specials.amended or fits
        return fits


# ---------------------------------------------------------------------------------------------------- safety plan


def _pick(
    plan: VersionedPlan, section: str, wanted: int, *, prefix: str = "", leave_out: str = "", acting_user: User
) -> VersionedPlan:
    """Add the first `wanted` suggestions of a section (those whose key starts with `prefix`, but `leave_out`)."""
    offered = suggestions_for_section(plan.kind, plan.episode, section, plan.parsed())
    keys = [s.key for s in offered if s.key.startswith(prefix) and s.key != leave_out][:wanted]
    return do_add_plan_suggestions(plan, section, keys, acting_user=acting_user) if keys else plan


def build_safety_plan(story: EpisodeStory) -> VersionedPlan:
    """The Stanley–Brown safety plan of the client with the open PHQ-9 item-9 alert, written with them after the
    risk review: the six steps from the record's people and the crisis lines, then finalised."""
    user, words = story.therapist, story.words
    # Not the other side of the dispute: the rows are among the warning signs.
    dispute = story.roles.get("dispute")
    leave_out = f"person:{dispute.pk}" if dispute else ""

    def fill(text: str) -> str:
        return text.format(**words)

    plan = do_start_plan_version(SafetyPlan.kind, story.episode, acting_user=user)
    signs = [fill(texts.SAFETY_WARNING_SIGNS[story.story]), *texts.SAFETY_PLAN["warning_signs"]]
    plan = do_save_plan_section(plan, "warning_signs", signs, acting_user=user)
    for key in ("internal_coping", "safe_environment", "worth_living_for"):
        plan = do_save_plan_section(plan, key, [fill(line) for line in texts.SAFETY_PLAN[key]], acting_user=user)
    plan = _pick(plan, "distraction", 2, leave_out=leave_out, acting_user=user)
    place, when = texts.SAFETY_DISTRACTION_PLACE
    distraction = [item.model_dump(mode="json") for item in plan.parsed().distraction]
    distraction.append({"name": place, "note": fill(when)})
    plan = do_save_plan_section(plan, "distraction", distraction, acting_user=user)
    plan = _pick(plan, "help_contacts", 2, leave_out=leave_out, acting_user=user)
    if not plan.parsed().help_contacts:
        contact = {"name": fill("{support}")[:120], "note": "Call when the warning signs show."}
        plan = do_save_plan_section(plan, "help_contacts", [contact], acting_user=user)
    plan = _pick(plan, "professionals", 1, prefix="staff:", acting_user=user)
    return do_finalise_plan(plan, acting_user=user)

"""Which IPT phase a session belongs to, from the format and the contracted number of sessions (IPT-DOMAIN §1).

- Individual IPT (Weissman, Markowitz & Klerman, *Guide to IPT*): initial phase sessions 1–3 (never more than 3),
  termination the last three sessions, middle phase between.
- Brief IPT (Swartz, IPT-B; 8 sessions): initial phase sessions 1–2. The termination span is not fixed in the
  sources we hold; we use the last two sessions (7–8 of 8) — a program may read it differently (verify).
- Group IPT (WHO *Group IPT* manual, 2016): session 1 initial, 2–7 middle, 8 termination; the pre-group individual
  meeting comes before session 1 and is not numbered.
- Maintenance IPT (Frank 2007): monthly sessions after an acute course; it has no initial or termination phase.

Termination is prompted from session N−4 and must be raised no later than session N−2 (N = contracted sessions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from iptcare.ipt.models import INITIAL_PHASE_LAST_SESSION, Format


class Phase:
    BEFORE = "before"
    INITIAL = "initial"
    MIDDLE = "middle"
    TERMINATION = "termination"
    MAINTENANCE = "maintenance"
    BEYOND = "beyond"


PHASE_LABELS = {
    Phase.BEFORE: _("Before the first session"),
    Phase.INITIAL: _("Initial phase"),
    Phase.MIDDLE: _("Middle phase"),
    Phase.TERMINATION: _("Termination phase"),
    Phase.MAINTENANCE: _("Maintenance"),
    Phase.BEYOND: _("Past the contracted sessions"),
}

# How many of the last sessions make up the termination phase, per format (see the module's docstring).
TERMINATION_SESSIONS = {Format.INDIVIDUAL: 3, Format.BRIEF: 2, Format.GROUP: 1, Format.MAINTENANCE: 0}
# Termination is raised from N−4 (prompt) and by N−2 (deadline).
TERMINATION_PROMPT_BEFORE_END = 4
TERMINATION_DEADLINE_BEFORE_END = 2


def phase_of_session(format_: str, number: int, contracted: int) -> str:
    """The phase of session `number` (1-based) in a course of `contracted` sessions."""
    fmt = Format(format_)
    if number < 1:
        return Phase.BEFORE
    if fmt == Format.MAINTENANCE:
        return Phase.MAINTENANCE
    if number > contracted:
        return Phase.BEYOND
    if number <= INITIAL_PHASE_LAST_SESSION[fmt]:
        return Phase.INITIAL
    if number > contracted - TERMINATION_SESSIONS[fmt]:
        return Phase.TERMINATION
    return Phase.MIDDLE


def phase_in_status(phase: str, status: str) -> str:
    """The phase by the session count, moved on when the episode's status has moved further: an initial phase
    finished early is the middle phase, and an episode in closure is in its termination phase."""
    if status == "treatment" and phase == Phase.INITIAL:
        return Phase.MIDDLE
    if status == "closure" and phase in (Phase.INITIAL, Phase.MIDDLE):
        return Phase.TERMINATION
    return phase


@dataclass(frozen=True)
class TerminationStatus:
    """Where the episode stands on raising the end of treatment with the client."""

    prompt_from: int
    deadline: int
    due: bool  # the prompt shows: from session N−4 until it is raised
    late: bool  # session N−2 is held (or passed) and termination was not raised

    @property
    def applies(self) -> bool:
        return self.prompt_from > 0


def termination_status(format_: str, held: int, contracted: int, raised: bool) -> TerminationStatus:
    """`held` is the number of sessions held so far; the next session is held + 1."""
    if Format(format_) == Format.MAINTENANCE:
        return TerminationStatus(0, 0, False, False)
    prompt_from = max(contracted - TERMINATION_PROMPT_BEFORE_END, 1)
    deadline = max(contracted - TERMINATION_DEADLINE_BEFORE_END, 1)
    next_session = held + 1
    return TerminationStatus(
        prompt_from=prompt_from,
        deadline=deadline,
        due=not raised and next_session >= prompt_from,
        late=not raised and held >= deadline,
    )

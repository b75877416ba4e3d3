"""The phase map of each format (IPT-DOMAIN §1) and when termination is prompted and due."""

from __future__ import annotations

import pytest

from iptcare.ipt.phases import Phase, phase_of_session, termination_status

INI, M, T = Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION


@pytest.mark.parametrize(
    ("format_", "contracted", "expected"),
    [
        # Individual, 12 sessions: 1–3 initial, 10–12 termination.
        ("individual", 12, [INI, INI, INI, M, M, M, M, M, M, T, T, T]),
        # Individual, 16 sessions: the initial phase stays at 3; the termination phase is the last 3.
        ("individual", 16, [INI, INI, INI] + [M] * 10 + [T, T, T]),
        # Brief, 8 sessions: 1–2 initial, 7–8 termination.
        ("brief", 8, [INI, INI, M, M, M, M, T, T]),
        # WHO group IPT: 1 initial, 2–7 middle, 8 termination.
        ("group", 8, [INI, M, M, M, M, M, M, T]),
    ],
)
def test_each_format_has_its_phase_map(format_: str, contracted: int, expected: list[str]) -> None:
    assert [phase_of_session(format_, n, contracted) for n in range(1, contracted + 1)] == expected


def test_sessions_outside_the_course_are_named_as_such() -> None:
    assert phase_of_session("individual", 0, 12) == Phase.BEFORE
    assert phase_of_session("individual", 13, 12) == Phase.BEYOND
    assert phase_of_session("maintenance", 7, 12) == Phase.MAINTENANCE


@pytest.mark.parametrize(
    ("held", "raised", "due", "late"),
    [
        (6, False, False, False),  # the next session is 7: before N−4 = 8
        (7, False, True, False),  # the next session is 8 = N−4: prompt
        (9, False, True, False),  # session 10 = N−2 is next: still in time
        (10, False, True, True),  # session 10 was held without raising it: late
        (10, True, False, False),  # raised: neither prompt nor warning
    ],
)
def test_termination_is_prompted_from_n_minus_4_and_late_after_n_minus_2(
    held: int, raised: bool, due: bool, late: bool
) -> None:
    status = termination_status("individual", held=held, contracted=12, raised=raised)
    assert (status.prompt_from, status.deadline, status.due, status.late) == (8, 10, due, late)


def test_maintenance_has_no_termination_prompt() -> None:
    status = termination_status("maintenance", held=11, contracted=12, raised=False)
    assert not (status.applies or status.due or status.late)


def test_the_status_moves_the_phase_on_when_the_work_is_ahead_of_the_count() -> None:
    from iptcare.ipt.phases import phase_in_status

    assert phase_in_status(Phase.INITIAL, "treatment") == Phase.MIDDLE
    assert phase_in_status(Phase.MIDDLE, "closure") == Phase.TERMINATION
    assert phase_in_status(Phase.INITIAL, "assessment") == Phase.INITIAL
    assert phase_in_status(Phase.TERMINATION, "treatment") == Phase.TERMINATION

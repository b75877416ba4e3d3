"""Attendance: one record per member per session, written into each member's group-format episode as a session of
kind "group_session", so their episode's numbering and held count include it; two absences in a row raise the same
missed-sessions alert as individual sessions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.groups.actions import do_leave_group, do_record_attendance
from iptcare.groups.actions_notes import do_save_group_note_draft, do_sign_group_note
from iptcare.groups.models import Attendance, GroupMember, GroupSession
from iptcare.measures.models import Alert, AlertRule
from iptcare.therapy.actions import do_add_session
from iptcare.therapy.models import GROUP_SESSION, TherapySession
from iptcare.therapy.numbering import held_count, session_numbers
from tests.groups.conftest import at

pytestmark = pytest.mark.django_db


def everyone(members: list[GroupMember], status: str = "attended", **others: str) -> dict[int, str]:
    """{member id: status}: `status` for all, except members named by index in `others` (m0="absent")."""
    statuses = {m.pk: status for m in members}
    for key, value in others.items():
        statuses[members[int(key[1:])].pk] = value
    return statuses


class TestRecording:
    def test_it_records_each_member_and_marks_the_session_held(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m1="absent", m2="excused"), acting_user=alice)

        recorded = dict(Attendance.objects.values_list("member_id", "status"))
        assert recorded == {
            members[0].pk: "attended",
            members[1].pk: "absent",
            members[2].pk: "excused",
            members[3].pk: "attended",
        }
        sessions[0].refresh_from_db()
        assert sessions[0].status == "held"

    def test_each_member_has_the_session_in_their_episode(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m1="absent", m2="excused"), acting_user=alice)

        rows = {r.episode_id: r for r in TherapySession.objects.filter(kind=GROUP_SESSION)}
        assert [rows[m.episode_id].status for m in members] == ["attended", "missed", "cancelled", "attended"]
        excused = rows[members[2].episode_id]
        assert (excused.cancelled_by, excused.cancel_reason) == ("client", "Excused from the group session.")
        fern_row = rows[members[0].episode_id]
        assert (fern_row.group_session, fern_row.therapist, fern_row.minutes) == (sessions[0], alice, 90)
        assert fern_row.scheduled_start == sessions[0].scheduled_start

    def test_group_sessions_count_and_are_numbered_in_the_members_episode(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        for session in sessions[:3]:
            do_record_attendance(session, everyone(members), acting_user=alice)
        do_record_attendance(sessions[3], everyone(members, m0="absent"), acting_user=alice)

        fern = members[0].episode
        assert held_count(fern) == 3
        assert sorted(n for n in session_numbers(fern).values() if n) == [1, 2, 3]

    def test_a_correction_updates_the_members_session(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m0="absent"), acting_user=alice)

        do_record_attendance(sessions[0], {members[0].pk: "attended"}, acting_user=alice)

        assert TherapySession.objects.filter(episode=members[0].episode).get().status == "attended"
        assert held_count(members[0].episode) == 1
        event = AuditEvent.objects.filter(client=members[0].client, extra__kind="attendance").order_by("pk").last()
        assert event.extra["changes"] == {"attendance": ["absent", "attended"]}

    def test_unchanged_attendance_writes_nothing(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members), acting_user=alice)
        before = AuditEvent.objects.count()

        do_record_attendance(sessions[0], everyone(members), acting_user=alice)

        assert AuditEvent.objects.count() == before

    def test_each_change_is_audited_against_the_members_record(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members), acting_user=alice)

        events = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, extra__kind="attendance")
        assert sorted(e.client_id for e in events) == sorted(m.client_id for m in members)
        assert {e.extra["changes"]["attendance"][1] for e in events} == {"attended"}


class TestRefusals:
    def test_not_before_the_session_starts(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        with pytest.raises(ValidationError, match="not started yet"):
            do_record_attendance(sessions[4], everyone(members), acting_user=alice)

    def test_not_for_someone_outside_the_group_that_day(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_leave_group(members[0], left_on=dt.date(2026, 3, 20), reason="Moved.", acting_user=alice)

        with pytest.raises(ValidationError) as error:
            do_record_attendance(sessions[3], everyone(members), acting_user=alice)  # 31 March

        assert str(members[0].pk) in error.value.message_dict["attendance"][0]
        do_record_attendance(sessions[1], everyone(members), acting_user=alice)  # 17 March: still a member

    def test_a_member_cannot_leave_before_a_session_they_are_recorded_at(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[3], everyone(members), acting_user=alice)  # 31 March

        with pytest.raises(ValidationError) as error:
            do_leave_group(members[0], left_on=dt.date(2026, 3, 20), reason="Moved.", acting_user=alice)

        assert "2026-03-31" in error.value.message_dict["left_on"][0]

    def test_not_once_the_group_note_is_signed(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members), acting_user=alice)
        do_save_group_note_draft(sessions[0], {"worked_on": "Introductions."}, acting_user=alice)
        do_sign_group_note(sessions[0], signature="Alice Ashby", acting_user=alice)

        with pytest.raises(ValidationError) as error:
            do_record_attendance(sessions[0], {members[0].pk: "absent"}, acting_user=alice)

        assert error.value.code == "locked"


class TestMissedSessions:
    def missed_alerts(self) -> list[Alert]:
        return list(Alert.objects.filter(rule=AlertRule.MISSED_SESSIONS))

    def test_two_absences_in_a_row_raise_one_alert_for_the_primary_therapist(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m0="absent"), acting_user=alice)
        assert self.missed_alerts() == []

        do_record_attendance(sessions[1], everyone(members, m0="absent"), acting_user=alice)
        do_record_attendance(sessions[2], everyone(members, m0="absent"), acting_user=alice)

        [alert] = self.missed_alerts()
        assert (alert.client, alert.owner) == (members[0].client, alice)
        assert alert.detail == "Missed 2026-03-10 and 2026-03-17"

    def test_an_excused_absence_between_two_absences_does_not_break_the_row(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m0="absent"), acting_user=alice)
        do_record_attendance(sessions[1], everyone(members, m0="excused"), acting_user=alice)
        do_record_attendance(sessions[2], everyone(members, m0="absent"), acting_user=alice)

        assert len(self.missed_alerts()) == 1

    def test_attending_in_between_raises_nothing(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        do_record_attendance(sessions[0], everyone(members, m0="absent"), acting_user=alice)
        do_record_attendance(sessions[1], everyone(members), acting_user=alice)
        do_record_attendance(sessions[2], everyone(members, m0="absent"), acting_user=alice)

        assert self.missed_alerts() == []


class TestTheTherapySide:
    def test_the_therapy_actions_never_schedule_a_group_session(self, members: list[GroupMember], alice: User) -> None:
        with pytest.raises(ValidationError) as error:
            do_add_session(
                members[0].episode,
                scheduled_start=at(dt.date(2026, 4, 2)),
                minutes=50,
                therapist=alice,
                kind=GROUP_SESSION,
                acting_user=alice,
            )

        assert "kind" in error.value.message_dict

    def test_the_database_ties_a_group_session_row_to_its_group_session(
        self, members: list[GroupMember], alice: User
    ) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            TherapySession.objects.create(
                episode=members[0].episode,
                therapist=alice,
                scheduled_start=at(dt.date(2026, 3, 10)),
                minutes=90,
                kind=GROUP_SESSION,
                created_by=alice,
            )


def test_the_members_episode_links_its_group_session_to_the_group_note(
    sessions: list[GroupSession], members: list[GroupMember], alice: User
) -> None:
    from iptcare.ipt.guidance import guidance_for
    from tests.conftest import sign_in

    do_record_attendance(sessions[0], everyone(members), acting_user=alice)
    episode = members[0].episode
    page = sign_in(alice).get(f"/clients/{episode.client_id}/episodes/{episode.pk}/sessions/").content.decode()
    assert f"/groups/{sessions[0].group_id}/sessions/{sessions[0].pk}/note/" in page
    assert "Write the note" not in page
    # The phase engine counts the group session as held.
    assert guidance_for(episode).held == 1

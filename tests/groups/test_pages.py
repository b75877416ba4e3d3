"""The group pages: who sees the list, the group and its members; creating a group; adding members (a client the
facilitator may not open is "not found"); the pre-group meeting; leaving after a confirmation; the sessions, their
attendance form and the group note; the audit trail; and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.groups.actions import do_record_attendance
from iptcare.groups.actions_notes import do_save_group_note_draft
from iptcare.groups.models import Attendance, GroupMember, GroupNote, GroupSession, MemberNote, TherapyGroup
from iptcare.therapy.models import SessionKind, TherapySession
from tests.conftest import sign_in
from tests.groups.conftest import add_members, alice_clients, at

pytestmark = pytest.mark.django_db


def url(group: TherapyGroup, page: str = "") -> str:
    return f"/groups/{group.pk}/{page}"


def session_url(session: GroupSession, page: str = "") -> str:
    return f"/groups/{session.group_id}/sessions/{session.pk}/{page}"


def page_of(http: HttpClient, path: str) -> str:
    response = http.get(path)
    assert response.status_code == 200
    return response.content.decode()


def queries_of(http: HttpClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(path).status_code == 200
    return len(captured)


def all_attended(session: GroupSession, alice: User) -> None:
    members = GroupMember.objects.filter(group_id=session.group_id).present_on(session.local_date)
    do_record_attendance(session, {m.pk: "attended" for m in members}, acting_user=alice)


class TestList:
    def test_a_facilitator_lists_and_opens_their_group(self, group: TherapyGroup, alice: User) -> None:
        page = page_of(sign_in(alice), "/groups/")

        assert f'href="/groups/{group.pk}/"' in page
        event = AuditEvent.objects.get(event_type=EventType.GROUP_VIEWED)
        assert event.extra == {"kind": "list", "group_ids": [group.pk]}

    def test_a_director_lists_the_groups_without_opening_them(
        self, group: TherapyGroup, members: list[GroupMember], dan: User
    ) -> None:
        page = page_of(sign_in(dan), "/groups/")

        assert "Tuesday group" in page and f'href="/groups/{group.pk}/"' not in page
        assert "Fairweather" not in page
        assert sign_in(dan).get(url(group)).status_code == 404

    def test_tom_lists_his_own_group_only(self, group: TherapyGroup, toms_group: TherapyGroup, tom: User) -> None:
        page = page_of(sign_in(tom), "/groups/")

        assert "Thursday group" in page and "Tuesday group" not in page

    def test_another_organization_sees_nothing(self, group: TherapyGroup, carol: User) -> None:
        page = page_of(sign_in(carol), "/groups/")

        assert "Tuesday group" not in page and "No group yet." in page


class TestGroupPage:
    def test_the_facilitator_sees_members_sessions_and_phases(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        page = page_of(sign_in(alice), url(members[0].group))

        assert all(m.client.display_name in page for m in members)
        assert "1/8" in page and "8/8" in page
        assert "Initial phase" in page and "Termination phase" in page
        assert "Not held yet for:" in page  # no pre-group meeting recorded
        assert "WHO Group IPT suggests about 6 to 10 members (to verify); this group has 4." in page

    def test_the_view_is_audited_against_each_member_shown(
        self, group: TherapyGroup, members: list[GroupMember], alice: User
    ) -> None:
        sign_in(alice).get(url(group))

        events = AuditEvent.objects.filter(event_type=EventType.GROUP_VIEWED)
        assert sorted(e.client_id for e in events) == sorted(m.client_id for m in members)
        assert {e.extra["group_id"] for e in events} == {group.pk}

    def test_a_team_member_sees_only_the_members_they_may_open(
        self, group: TherapyGroup, members: list[GroupMember], cody: User
    ) -> None:
        page = page_of(sign_in(cody), url(group))  # Cody is on Fern's team only

        assert "Fern Fairweather" in page and members[1].client.display_name not in page
        assert "3 other members, whose records you may not open, are not shown." in page
        assert "Add a member" not in page
        assert [e.client_id for e in AuditEvent.objects.filter(event_type=EventType.GROUP_VIEWED)] == [
            members[0].client_id
        ]

    def test_a_supervisor_of_the_facilitator_opens_it(self, group: TherapyGroup, bob: User) -> None:
        assert sign_in(bob).get(url(group)).status_code == 200

    @pytest.mark.parametrize("persona", ["tom", "dan", "carol"])
    def test_others_get_404(self, group: TherapyGroup, persona: str, request: pytest.FixtureRequest) -> None:
        assert sign_in(request.getfixturevalue(persona)).get(url(group)).status_code == 404

    def test_its_queries_do_not_grow_with_the_members(
        self,
        group: TherapyGroup,
        sessions: list[GroupSession],
        north: Organization,
        north_site: Site,
        alice: User,
        django_assert_num_queries,
    ) -> None:
        # The `members` fixture gave 4; keep 3 for the first count.
        GroupMember.objects.filter(pk=GroupMember.objects.order_by("-pk").first().pk).update(
            left_on=dt.date(2026, 3, 2), leave_reason="Test."
        )
        all_attended(sessions[0], alice)
        http = sign_in(alice)
        http.get(url(group))  # the session and its caches are warm from here on
        three = queries_of(http, url(group))
        add_members(group, alice_clients(north, north_site, alice, 5), alice)

        with django_assert_num_queries(three):
            assert http.get(url(group)).status_code == 200


class TestCreating:
    def test_a_therapist_creates_a_group(self, north_site: Site, alice: User) -> None:
        response = sign_in(alice).post(
            "/groups/new/",
            {
                "name": "Monday evening",
                "site": north_site.pk,
                "facilitator": alice.pk,
                "weekday": "0",
                "start_time": "17:30",
                "start_date": "2026-04-06",
                "session_minutes": "90",
                "capacity": "12",
            },
        )

        group = TherapyGroup.objects.get()
        assert response.status_code == 302 and response["Location"] == url(group)
        assert (group.name, group.start_time, group.status) == ("Monday evening", dt.time(17, 30), "forming")
        warning = "this group's capacity is 12"
        assert any(warning in str(m) for m in sign_in(alice).get(url(group)).context["size_warnings"])

    def test_a_wrong_day_shows_next_to_the_first_session(self, north_site: Site, alice: User) -> None:
        response = sign_in(alice).post(
            "/groups/new/",
            {
                "name": "G",
                "site": north_site.pk,
                "facilitator": alice.pk,
                "weekday": "0",
                "start_time": "17:30",
                "start_date": "2026-04-07",
                "session_minutes": "90",
                "capacity": "8",
            },
        )

        assert "the group meets on Monday" in str(response.context["form"].errors["start_date"])
        assert not TherapyGroup.objects.exists()

    def test_a_director_may_not(self, dan: User) -> None:
        assert sign_in(dan).get("/groups/new/").status_code == 403

    def test_only_facilitators_and_their_supervisors_edit(
        self, group: TherapyGroup, bob: User, cody: User, members: list[GroupMember]
    ) -> None:
        assert sign_in(bob).get(url(group, "edit/")).status_code == 200
        assert sign_in(cody).get(url(group, "edit/")).status_code == 403


class TestMembers:
    def test_the_facilitator_adds_a_client(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        response = sign_in(alice).post(
            url(group, "members/add/"),
            {"client": fern.pk, "joined_on": "2026-03-31", "problem_area": "", "goal": "Ask for help once a week."},
        )

        member = GroupMember.objects.get()
        assert response.status_code == 302 and response["Location"] == url(group, f"members/{member.pk}/")
        assert (member.client, member.goal, member.episode.format) == (fern, "Ask for help once a week.", "group")

    def test_tom_cannot_add_a_client_he_cannot_open(self, toms_group: TherapyGroup, fern: Client, tom: User) -> None:
        response = sign_in(tom).post(url(toms_group, "members/add/"), {"client": fern.pk, "joined_on": "2026-03-31"})

        assert response.status_code == 404
        assert not GroupMember.objects.exists()
        assert AuditEvent.objects.filter(event_type=EventType.CLIENT_ACCESS_REFUSED, client=fern).exists()

    def test_someone_who_does_not_facilitate_gets_403(self, group: TherapyGroup, members: list, cody: User) -> None:
        assert sign_in(cody).get(url(group, "members/add/")).status_code == 403

    def test_the_pre_group_meeting_is_scheduled_and_marked_held(
        self, group: TherapyGroup, members: list[GroupMember], alice: User
    ) -> None:
        member = members[0]
        http = sign_in(alice)
        http.post(
            url(group, f"members/{member.pk}/pre-group/"),
            {"date": "2026-03-05", "time": "09:00", "minutes": "50", "therapist": alice.pk},
        )
        meeting = TherapySession.objects.get(episode=member.episode)
        assert (meeting.kind, meeting.status, meeting.scheduled_start) == (
            SessionKind.PRE_GROUP_MEETING,
            "scheduled",
            at(dt.date(2026, 3, 5), 9),
        )

        http.post(url(group, f"members/{member.pk}/pre-group/{meeting.pk}/held/"))

        meeting.refresh_from_db()
        assert meeting.status == "attended"
        page = page_of(http, url(group))
        assert "Held 2026-03-05" in page

    def test_problem_area_and_goal_are_edited(
        self, group: TherapyGroup, members: list[GroupMember], alice: User
    ) -> None:
        member = members[0]
        sign_in(alice).post(url(group, f"members/{member.pk}/"), {"problem_area": "Role dispute", "goal": "Calm."})

        member.refresh_from_db()
        assert (member.problem_area, member.goal) == ("Role dispute", "Calm.")

    def test_leaving_asks_first_then_records_date_and_reason(
        self, group: TherapyGroup, members: list[GroupMember], alice: User
    ) -> None:
        member = members[1]
        http = sign_in(alice)

        page = page_of(http, url(group, f"members/{member.pk}/leave/"))
        assert "leaving the group?" in page
        response = http.post(url(group, f"members/{member.pk}/leave/"), {"left_on": "2026-03-30", "reason": ""})
        assert "Give the reason for leaving." in str(response.context["form"].errors)

        http.post(url(group, f"members/{member.pk}/leave/"), {"left_on": "2026-03-30", "reason": "Moved away."})
        member.refresh_from_db()
        assert (member.left_on, member.leave_reason) == (dt.date(2026, 3, 30), "Moved away.")

    def test_a_member_page_is_404_for_who_may_not_see_them(
        self, group: TherapyGroup, members: list[GroupMember], cody: User
    ) -> None:
        http = sign_in(cody)

        assert http.get(url(group, f"members/{members[0].pk}/")).status_code == 200  # Fern: on Cody's team
        assert http.get(url(group, f"members/{members[1].pk}/")).status_code == 404


class TestSessionPages:
    def test_the_facilitator_schedules_the_sessions(self, group: TherapyGroup, alice: User) -> None:
        http = sign_in(alice)
        assert "8 sessions will be scheduled" in page_of(http, url(group, "sessions/generate/"))

        http.post(url(group, "sessions/generate/"))

        assert GroupSession.objects.filter(group=group).count() == 8

    def test_cancelling_asks_first(self, sessions: list[GroupSession], alice: User) -> None:
        session = sessions[6]
        http = sign_in(alice)
        assert "Cancel the group session?" in page_of(http, session_url(session, "cancel/"))

        http.post(session_url(session, "cancel/"), {"cancelled_by": "facilitator", "reason": "Ill."})

        session.refresh_from_db()
        assert (session.status, session.cancel_reason) == ("cancelled", "Ill.")

    def test_a_session_is_moved(self, sessions: list[GroupSession], alice: User) -> None:
        session = sessions[6]
        sign_in(alice).post(
            session_url(session, "reschedule/"), {"date": "2026-04-23", "time": "11:00", "minutes": "90", "reason": ""}
        )

        session.refresh_from_db()
        assert session.scheduled_start == at(dt.date(2026, 4, 23), 11)

    def test_the_attendance_form_records_every_member(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        session = sessions[0]
        http = sign_in(alice)
        page = page_of(http, session_url(session))
        assert "Session 1 of 8" in page and "Initial phase" in page
        assert f'name="member_{members[0].pk}"' in page and 'type="radio"' in page

        data = {f"member_{m.pk}": "attended" for m in members}
        data[f"member_{members[1].pk}"] = "absent"
        response = http.post(session_url(session), data)

        assert response.status_code == 302
        assert Attendance.objects.filter(session=session).count() == 4
        assert TherapySession.objects.filter(group_session=session, status="missed").count() == 1

    def test_a_missing_choice_names_the_member(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        data = {f"member_{m.pk}": "attended" for m in members[1:]}

        response = sign_in(alice).post(session_url(sessions[0]), data)

        assert "Record attended, absent or excused for Fern Fairweather." in response.content.decode()
        assert not Attendance.objects.exists()

    def test_a_future_session_has_no_form(self, sessions: list[GroupSession], alice: User) -> None:
        page = page_of(sign_in(alice), session_url(sessions[5]))

        assert "Attendance is recorded once the session has started." in page and 'type="radio"' not in page

    def test_others_who_may_open_the_group_read_it_without_the_form(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User, cody: User
    ) -> None:
        all_attended(sessions[0], alice)
        http = sign_in(cody)

        page = page_of(http, session_url(sessions[0]))
        assert "Fern Fairweather" in page and 'type="radio"' not in page
        assert http.post(session_url(sessions[0]), {}).status_code == 403

    def test_the_attendance_page_has_constant_queries(
        self,
        group: TherapyGroup,
        sessions: list[GroupSession],
        north: Organization,
        north_site: Site,
        alice: User,
        django_assert_num_queries,
    ) -> None:
        GroupMember.objects.filter(pk=GroupMember.objects.order_by("-pk").first().pk).update(
            left_on=dt.date(2026, 3, 2), leave_reason="Test."
        )
        http = sign_in(alice)
        http.get(session_url(sessions[0]))
        three = queries_of(http, session_url(sessions[0]))
        add_members(group, alice_clients(north, north_site, alice, 5), alice)
        assert GroupMember.objects.filter(group=group).current().count() == 8

        with django_assert_num_queries(three):
            assert http.get(session_url(sessions[0])).status_code == 200


class TestNotePages:
    def test_the_facilitator_writes_signs_and_finds_it_locked(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        session = sessions[0]
        all_attended(session, alice)
        http = sign_in(alice)
        page = page_of(http, session_url(session, "note/"))
        assert f'href="/clients/{members[0].client_id}/measures/give/PHQ-9/"' in page

        http.post(
            session_url(session, "note/"),
            {"worked_on": "Introductions.", "themes": "Loneliness.", "techniques": ["clarification"]},
        )
        http.post(
            session_url(session, f"note/members/{members[0].pk}/"),
            {f"m{members[0].pk}-worked_on": "Her sister.", f"m{members[0].pk}-mood": "5"},
        )
        assert MemberNote.objects.get().mood == 5
        response = http.post(session_url(session, "note/sign/"), {"signature": "Alice Ashby"})

        assert response.status_code == 302
        note = GroupNote.objects.get()
        assert note.is_signed and note.themes == "Loneliness."
        page = page_of(http, session_url(session, "note/"))
        assert "Signed by Alice Ashby" in page and "Save draft" not in page
        response = http.post(session_url(session, "note/"), {"worked_on": "Rewritten."})
        assert GroupNote.objects.get().worked_on == "Introductions."

    def test_a_member_note_error_is_shown(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        all_attended(sessions[0], alice)
        m = members[0]

        response = sign_in(alice).post(
            session_url(sessions[0], f"note/members/{m.pk}/"), {f"m{m.pk}-risk_flag": "on"}, follow=True
        )

        assert "Say what was noticed and what was done about the risk." in response.content.decode()

    def test_a_non_facilitator_reads_the_note_without_the_form(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User, cody: User
    ) -> None:
        all_attended(sessions[0], alice)
        do_save_group_note_draft(sessions[0], {"worked_on": "Introductions."}, acting_user=alice)
        http = sign_in(cody)

        page = page_of(http, session_url(sessions[0], "note/"))

        assert "Introductions." in page and "Save draft" not in page
        assert http.get(session_url(sessions[0], "note/sign/")).status_code == 403

    @pytest.mark.parametrize("page", ["", "note/", "note/sign/", "cancel/", "reschedule/"])
    def test_carol_gets_404(self, sessions: list[GroupSession], carol: User, page: str) -> None:
        assert sign_in(carol).get(session_url(sessions[0], page)).status_code == 404

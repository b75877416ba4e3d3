"""A group and its members: creating it, its capacity, adding clients (which opens or links their group episode),
their problem area and goal from the formulation, the pre-group meeting, and leaving."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from iptcare.accounts.models import Organization, Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.groups.actions import do_add_member, do_create_group, do_leave_group, do_update_group
from iptcare.groups.models import GroupMember, TherapyGroup
from iptcare.groups.selectors import capacity_warning, size_warning
from iptcare.ipt.actions import do_open_episode
from iptcare.ipt.models import Episode, Formulation, Goal, ProblemArea
from tests.groups.conftest import add_members, alice_clients, group_data

pytestmark = pytest.mark.django_db


class TestCreating:
    def test_it_creates_a_forming_group_and_audits_it(self, north: Organization, north_site: Site, alice: User) -> None:
        group = do_create_group(north.pk, group_data(north_site, alice), acting_user=alice)

        assert (group.status, group.capacity, group.session_minutes) == ("forming", 8, 90)
        event = AuditEvent.objects.get(event_type=EventType.GROUP_CHANGED)
        assert event.extra["kind"] == "created"
        assert event.extra["changes"]["name"] == [None, "Tuesday group"]

    def test_the_first_session_falls_on_the_groups_day(
        self, north: Organization, north_site: Site, alice: User
    ) -> None:
        with pytest.raises(ValidationError) as error:
            do_create_group(north.pk, group_data(north_site, alice, weekday=2), acting_user=alice)

        assert "is a Tuesday; the group meets on Wednesday" in error.value.message_dict["start_date"][0]

    def test_the_co_facilitator_is_someone_else(self, north: Organization, north_site: Site, alice: User) -> None:
        with pytest.raises(ValidationError) as error:
            do_create_group(north.pk, group_data(north_site, alice, co_facilitator=alice), acting_user=alice)

        assert "co_facilitator" in error.value.message_dict

    def test_a_facilitator_is_a_therapist_or_counsellor(
        self, north: Organization, north_site: Site, alice: User, dan: User
    ) -> None:
        with pytest.raises(ValidationError) as error:
            do_create_group(north.pk, group_data(north_site, alice, co_facilitator=dan), acting_user=alice)

        assert "co_facilitator" in error.value.message_dict

    def test_whoever_creates_it_facilitates_or_supervises_a_facilitator(
        self, north: Organization, north_site: Site, alice: User, bob: User, cody: User
    ) -> None:
        do_create_group(north.pk, group_data(north_site, alice), acting_user=bob)  # Bob supervises Alice

        with pytest.raises(ValidationError) as error:
            do_create_group(north.pk, group_data(north_site, cody, name="Other"), acting_user=bob)
        assert "facilitator" in error.value.message_dict

    def test_names_are_unique_in_the_organization_ignoring_case(
        self, group: TherapyGroup, north: Organization, north_site: Site, alice: User
    ) -> None:
        with pytest.raises(ValidationError) as error:
            do_create_group(north.pk, group_data(north_site, alice, name="TUESDAY group"), acting_user=alice)

        assert "name" in error.value.message_dict


class TestCapacity:
    def test_a_member_above_the_capacity_is_refused(self, north: Organization, north_site: Site, alice: User) -> None:
        group = do_create_group(north.pk, group_data(north_site, alice, capacity=2), acting_user=alice)
        first, second, third = alice_clients(north, north_site, alice, 3)
        add_members(group, [first, second], alice)

        with pytest.raises(ValidationError) as error:
            do_add_member(group, third, acting_user=alice)

        assert "The group is full (capacity 2)" in error.value.messages[0]
        assert GroupMember.objects.filter(group=group).count() == 2

    def test_the_capacity_cannot_drop_below_the_members(self, group: TherapyGroup, members: list, alice: User) -> None:
        with pytest.raises(ValidationError) as error:
            do_update_group(group, {"capacity": 3}, acting_user=alice)

        assert "capacity" in error.value.message_dict

    def test_a_member_who_left_frees_a_place(self, north: Organization, north_site: Site, alice: User) -> None:
        group = do_create_group(north.pk, group_data(north_site, alice, capacity=2), acting_user=alice)
        first, second, third = alice_clients(north, north_site, alice, 3)
        leaving, _staying = add_members(group, [first, second], alice)
        do_leave_group(leaving, left_on=dt.date(2026, 3, 20), reason="Moved away.", acting_user=alice)

        do_add_member(group, third, acting_user=alice)

        assert GroupMember.objects.filter(group=group).current().count() == 2

    @pytest.mark.parametrize(("count", "warns"), [(5, True), (6, False), (10, False), (11, True)])
    def test_it_warns_outside_whos_suggested_size(self, count: int, warns: bool) -> None:
        assert bool(size_warning(count)) is warns
        assert bool(capacity_warning(count)) is warns
        if warns:
            assert "about 6 to 10 members (to verify)" in size_warning(count)


class TestMembers:
    def test_adding_a_client_opens_their_group_episode(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        member = do_add_member(group, fern, acting_user=alice)

        episode = member.episode
        assert (episode.client, episode.format, episode.planned_sessions) == (fern, "group", 8)
        assert (episode.primary_therapist, episode.session_minutes, episode.status) == (alice, 90, "assessment")
        event = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, client=fern).get()
        assert event.extra["kind"] == "member_added" and event.extra["episode_opened"] is True

    def test_it_links_an_open_group_episode(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        episode = do_open_episode(fern, format_="group", primary_therapist=alice, acting_user=alice)

        member = do_add_member(group, fern, acting_user=alice)

        assert member.episode == episode
        assert Episode.objects.filter(client=fern).count() == 1

    def test_an_episode_is_in_one_group_at_a_time(
        self, group: TherapyGroup, fern: Client, north: Organization, north_site: Site, alice: User
    ) -> None:
        do_add_member(group, fern, acting_user=alice)
        other = do_create_group(north.pk, group_data(north_site, alice, name="Other"), acting_user=alice)

        with pytest.raises(ValidationError) as error:
            do_add_member(other, fern, acting_user=alice)

        assert "already in another group" in error.value.message_dict["client"][0]

    def test_a_client_is_added_once(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        do_add_member(group, fern, acting_user=alice)

        with pytest.raises(ValidationError):
            do_add_member(group, fern, acting_user=alice)

    def test_problem_area_and_goal_come_from_the_formulation(
        self, group: TherapyGroup, fern: Client, alice: User
    ) -> None:
        episode = do_open_episode(fern, format_="individual", primary_therapist=alice, acting_user=alice)
        formulation = Formulation.objects.create(episode=episode, text="Drinks after rows.", updated_by=alice)
        area = ProblemArea.objects.create(formulation=formulation, kind="role_dispute", rationale="Her sister.")
        Goal.objects.create(problem_area=area, description="Say no  to her sister calmly.", evidence_kind="behaviour")

        member = do_add_member(group, fern, acting_user=alice)

        assert (member.problem_area, member.goal) == ("Role dispute", "Say no to her sister calmly.")

    def test_typed_problem_area_and_goal_win(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        member = do_add_member(group, fern, problem_area="Grief", goal="Visit the grave.", acting_user=alice)

        assert (member.problem_area, member.goal) == ("Grief", "Visit the grave.")

    def test_a_cancelled_group_takes_no_members(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        do_update_group(group, {"status": "cancelled"}, acting_user=alice)

        with pytest.raises(ValidationError):
            do_add_member(group, fern, acting_user=alice)


class TestLeaving:
    def test_a_member_leaves_with_date_and_reason(self, members: list[GroupMember], alice: User) -> None:
        member = do_leave_group(members[0], left_on=dt.date(2026, 3, 25), reason="Found work.", acting_user=alice)

        assert (member.left_on, member.leave_reason) == (dt.date(2026, 3, 25), "Found work.")
        assert member.episode.status == "assessment"  # the episode is closed on its own page
        event = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, extra__kind="member_left").get()
        assert event.extra["changes"]["leave_reason"] == ["", "Found work."]

    @pytest.mark.parametrize(
        ("left_on", "reason", "field"),
        [
            (dt.date(2026, 2, 1), "Before joining.", "left_on"),
            (dt.date(2026, 4, 30), "Ahead of time.", "left_on"),
            (dt.date(2026, 3, 25), "  ", "reason"),
        ],
    )
    def test_it_needs_a_sensible_date_and_a_reason(
        self, members: list[GroupMember], alice: User, left_on: dt.date, reason: str, field: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            do_leave_group(members[0], left_on=left_on, reason=reason, acting_user=alice)

        assert field in error.value.message_dict

    def test_a_member_joining_before_the_start_has_a_planned_episode_from_the_first_session(
        self, north: Organization, north_site: Site, alice: User
    ) -> None:
        later = do_create_group(
            north.pk, group_data(north_site, alice, name="May", start_date=dt.date(2026, 5, 5)), acting_user=alice
        )
        (client,) = alice_clients(north, north_site, alice, 1)

        member = do_add_member(later, client, acting_user=alice)

        assert (member.episode.start_date, member.episode.status) == (dt.date(2026, 5, 5), "planned")

"""/api/v1/groups/: the same rules as the pages — 404 for a group or client the caller may not open, 403 for running
a group one does not facilitate, 409 for any change under a signed group note — and the same audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import Site, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client
from iptcare.encryption.audit import open_changes
from iptcare.groups.actions import do_record_attendance
from iptcare.groups.models import GroupMember, GroupNote, GroupSession, MemberNote, TherapyGroup
from iptcare.therapy.models import GROUP_SESSION, TherapySession
from tests.conftest import bearer

pytestmark = pytest.mark.django_db

API = "/api/v1/groups/"


class Api:
    """Calls as one person, with a bearer token."""

    def __init__(self, user: User) -> None:
        self.http = HttpClient(**bearer(user))

    def get(self, path: str) -> Any:
        return self.http.get(API + path)

    def post(self, path: str, data: dict | None = None) -> Any:
        return self.http.post(API + path, data or {}, content_type="application/json")

    def put(self, path: str, data: dict) -> Any:
        return self.http.put(API + path, data, content_type="application/json")


def session_path(session: GroupSession, page: str = "") -> str:
    return f"{session.group_id}/sessions/{session.pk}/{page}"


@pytest.fixture
def held(sessions: list[GroupSession], members: list[GroupMember], alice: User) -> GroupSession:
    do_record_attendance(sessions[0], {m.pk: "attended" for m in members}, acting_user=alice)
    return GroupSession.objects.get(pk=sessions[0].pk)


class TestGroups:
    def test_it_lists_the_groups_one_may_see(self, group: TherapyGroup, members: list, alice: User, dan: User) -> None:
        mine = Api(alice).get("").json()
        directors = Api(dan).get("").json()

        assert [(g["name"], g["member_count"], g["can_open"]) for g in mine["items"]] == [("Tuesday group", 4, True)]
        assert [(g["name"], g["can_open"]) for g in directors["items"]] == [("Tuesday group", False)]
        assert "members" not in directors["items"][0]

    def test_it_reads_a_group_with_the_members_one_may_see(
        self, group: TherapyGroup, members: list[GroupMember], cody: User
    ) -> None:
        body = Api(cody).get(f"{group.pk}").json()

        assert [m["client_name"] for m in body["members"]] == ["Fern Fairweather"]
        assert body["members_not_shown"] == 3
        assert body["warnings"] == ["WHO Group IPT suggests about 6 to 10 members (to verify); this group has 4."]
        events = AuditEvent.objects.filter(event_type=EventType.GROUP_VIEWED, extra__kind="group")
        assert [e.client_id for e in events] == [members[0].client_id]

    def test_a_therapist_creates_a_group(self, north_site: Site, alice: User, cody: User) -> None:
        response = Api(alice).post(
            "",
            {
                "name": "Wednesday",
                "site_id": north_site.pk,
                "facilitator_id": alice.pk,
                "co_facilitator_id": cody.pk,
                "weekday": 2,
                "start_time": "17:00",
                "start_date": "2026-04-08",
            },
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["session_minutes"], body["capacity"], body["co_facilitator"]["name"]) == (90, 8, "Cody Clarke")
        assert TherapyGroup.objects.get().co_facilitator == cody

    def test_a_wrong_day_is_422_on_the_field(self, north_site: Site, alice: User) -> None:
        response = Api(alice).post(
            "",
            {
                "name": "W",
                "site_id": north_site.pk,
                "facilitator_id": alice.pk,
                "weekday": 2,
                "start_time": "17:00",
                "start_date": "2026-04-07",
            },
        )

        assert response.status_code == 422 and "start_date" in response.json()["errors"]

    def test_a_director_may_not_create(self, north_site: Site, dan: User, alice: User) -> None:
        response = Api(dan).post(
            "",
            {
                "name": "W",
                "site_id": north_site.pk,
                "facilitator_id": alice.pk,
                "weekday": 1,
                "start_time": "17:00",
                "start_date": "2026-04-07",
            },
        )

        assert response.status_code == 403


class TestMembers:
    def test_the_facilitator_adds_a_client(self, group: TherapyGroup, fern: Client, alice: User) -> None:
        response = Api(alice).post(f"{group.pk}/members", {"client_id": fern.pk, "goal": "Ask for help."})

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["client_name"], body["goal"]) == ("Fern Fairweather", "Ask for help.")
        assert GroupMember.objects.get().episode.format == "group"

    def test_tom_cannot_add_a_client_he_cannot_open(self, toms_group: TherapyGroup, fern: Client, tom: User) -> None:
        response = Api(tom).post(f"{toms_group.pk}/members", {"client_id": fern.pk})

        assert response.status_code == 404
        assert not GroupMember.objects.exists()

    def test_someone_who_does_not_facilitate_gets_403(
        self, group: TherapyGroup, members: list[GroupMember], fern: Client, cody: User
    ) -> None:
        # Cody may open the group (Fern is on his caseload) but does not run it.
        assert Api(cody).post(f"{group.pk}/members", {"client_id": fern.pk}).status_code == 403

    def test_a_member_leaves(self, group: TherapyGroup, members: list[GroupMember], alice: User) -> None:
        member = members[1]

        response = Api(alice).post(f"{group.pk}/members/{member.pk}/leave", {"reason": "Moved away."})

        assert response.status_code == 200
        assert response.json()["left_on"] == "2026-03-31"
        assert Api(alice).post(f"{group.pk}/members/{member.pk}/leave", {"reason": "Again."}).status_code == 422


class TestSessions:
    def test_it_generates_and_lists_the_sessions_with_phases(
        self, group: TherapyGroup, members: list, alice: User
    ) -> None:
        created = Api(alice).post(f"{group.pk}/sessions/generate")
        listed = Api(alice).get(f"{group.pk}/sessions").json()

        assert created.status_code == 201 and len(created.json()["created"]) == 8
        assert [(s["number"], s["phase"]) for s in listed["items"]][:2] == [(1, "initial"), (2, "middle")]
        assert listed["items"][-1]["phase"] == "termination"

    def test_attendance_is_recorded_into_each_members_episode(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        items = [{"member_id": m.pk, "status": "attended"} for m in members]
        items[1]["status"] = "absent"

        response = Api(alice).put(session_path(sessions[0], "attendance"), {"items": items})

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["session"]["status"] == "held"
        assert [i["status"] for i in body["items"]] == ["attended", "absent", "attended", "attended"]
        assert TherapySession.objects.filter(kind=GROUP_SESSION).count() == 4

    def test_a_future_session_is_422(
        self, sessions: list[GroupSession], members: list[GroupMember], alice: User
    ) -> None:
        items = [{"member_id": members[0].pk, "status": "attended"}]

        assert Api(alice).put(session_path(sessions[6], "attendance"), {"items": items}).status_code == 422

    def test_a_team_member_who_does_not_facilitate_gets_403(
        self, sessions: list[GroupSession], members: list[GroupMember], cody: User
    ) -> None:
        items = [{"member_id": members[0].pk, "status": "attended"}]

        assert Api(cody).put(session_path(sessions[0], "attendance"), {"items": items}).status_code == 403
        assert Api(cody).get(session_path(sessions[0], "attendance")).status_code == 200


class TestNotes:
    def test_draft_member_notes_and_signature(
        self, held: GroupSession, members: list[GroupMember], alice: User, cody: User
    ) -> None:
        api = Api(alice)
        assert api.get(session_path(held, "note")).status_code == 404

        draft = api.put(session_path(held, "note"), {"worked_on": "Introductions.", "techniques": ["role_play"]})
        for member in members[:2]:
            api.put(session_path(held, f"note/members/{member.pk}"), {"worked_on": "x", "mood": 5})
        signed = api.post(session_path(held, "note/sign"), {"signature": "Alice Ashby"})

        assert draft.status_code == 200 and draft.json()["techniques"] == ["role_play"]
        assert signed.status_code == 200 and signed.json()["is_signed"] is True
        assert len(signed.json()["member_notes"]) == 2
        assert len(Api(cody).get(session_path(held, "note")).json()["member_notes"]) == 1  # Fern's only
        assert len(Api(cody).get(session_path(held, "note/members")).json()) == 1

    @pytest.mark.parametrize("change", ["note", "member_note", "attendance", "sign"])
    def test_a_signed_note_answers_409_to_every_change(
        self, held: GroupSession, members: list[GroupMember], alice: User, change: str
    ) -> None:
        api = Api(alice)
        api.put(session_path(held, "note"), {"worked_on": "Introductions."})
        api.put(session_path(held, f"note/members/{members[0].pk}"), {"worked_on": "Her sister.", "mood": 4})
        api.post(session_path(held, "note/sign"), {"signature": "Alice Ashby"})

        response = {
            "note": lambda: api.put(session_path(held, "note"), {"worked_on": "Rewritten."}),
            "member_note": lambda: api.put(session_path(held, f"note/members/{members[1].pk}"), {"worked_on": "y"}),
            "attendance": lambda: api.put(
                session_path(held, "attendance"), {"items": [{"member_id": members[0].pk, "status": "absent"}]}
            ),
            "sign": lambda: api.post(session_path(held, "note/sign"), {"signature": "Alice Ashby"}),
        }[change]()

        assert response.status_code == 409
        assert GroupNote.objects.get().worked_on == "Introductions."
        assert list(MemberNote.objects.values_list("worked_on", flat=True)) == ["Her sister."]

    def test_changes_are_audited_with_their_values(self, held: GroupSession, alice: User) -> None:
        Api(alice).put(session_path(held, "note"), {"worked_on": "Introductions."})

        event = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, extra__kind="note_draft").get()
        assert open_changes(event.extra["changes"])["worked_on"] == [None, "Introductions."]
        assert "enc1:" in str(event.extra["changes"])  # the stored values are sealed
        assert event.channel == "api"


class TestOtherOrganization:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "{g}"),
            ("get", "{g}/sessions"),
            ("post", "{g}/sessions/generate"),
            ("post", "{g}/members"),
            ("get", "{g}/sessions/{s}/attendance"),
            ("put", "{g}/sessions/{s}/attendance"),
            ("get", "{g}/sessions/{s}/note"),
            ("put", "{g}/sessions/{s}/note"),
            ("post", "{g}/sessions/{s}/note/sign"),
            ("get", "{g}/sessions/{s}/note/members"),
            ("put", "{g}/sessions/{s}/note/members/{m}"),
            ("post", "{g}/members/{m}/leave"),
        ],
    )
    def test_carol_gets_404_on_everything(
        self, held: GroupSession, members: list[GroupMember], carol: User, fern: Client, method: str, path: str
    ) -> None:
        api = Api(carol)
        path = path.format(g=held.group_id, s=held.pk, m=members[0].pk)
        bodies = {
            "members": {"client_id": fern.pk},
            "attendance": {"items": []},
            "note": {},
            "sign": {"signature": "Carol Cruz"},
            "leave": {"reason": "x"},
        }
        body = next((v for k, v in bodies.items() if path.endswith(k)), {})

        response = getattr(api, method)(path) if method == "get" else getattr(api, method)(path, body)

        assert response.status_code == 404

    def test_carol_lists_nothing(self, held: GroupSession, carol: User) -> None:
        assert Api(carol).get("").json() == {"count": 0, "items": []}

"""/api/v1/therapy/: sessions and notes with the pages' rules, audit and error shape; a signed note changes through
no API call."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.ipt.models import Contract, Episode
from iptcare.therapy.actions_notes import do_save_note_draft, do_sign_note
from iptcare.therapy.models import InterpersonalIncident, NoteAmendment, SessionNote, SessionStatus, TherapySession
from tests.conftest import bearer
from tests.therapy.conftest import TODAY, at, book

pytestmark = pytest.mark.django_db


def api(episode: Episode, path: str = "") -> str:
    return f"/api/v1/therapy/clients/{episode.client_id}/episodes/{episode.pk}/sessions{path}"


def call(method: str, url: str, user: User, body: Any = None, **params: Any) -> Any:
    http = HttpClient()
    if body is None and method == "get":
        return http.get(url, params, **bearer(user))
    return getattr(http, method)(url, json.dumps(body or {}), content_type="application/json", **bearer(user))


def note_row(note: SessionNote) -> dict[str, Any]:
    return SessionNote.objects.filter(pk=note.pk).values().get()


class TestSessions:
    def test_it_lists_the_episodes_sessions_numbered_with_paging(self, episode: Episode, alice: User) -> None:
        for week in range(3):
            book(episode, at(TODAY) + dt.timedelta(weeks=week))

        response = call("get", api(episode), alice, limit=2, offset=1)

        body = response.json()
        assert response.status_code == 200
        assert body["count"] == 3
        assert [item["number"] for item in body["items"]] == [2, 3]
        assert body["items"][0]["client_id"] == episode.client_id
        assert body["items"][0]["note_state"] == "none"
        assert AuditEvent.objects.filter(event_type=EventType.SESSIONS_VIEWED).count() == 1

    def test_it_schedules_generates_moves_cancels_and_records(
        self, episode: Episode, contract: Contract, alice: User
    ) -> None:
        generated = call("post", api(episode, "/generate"), alice, {"time_of_day": "10:00"})
        assert generated.status_code == 201
        assert len(generated.json()["created"]) == 8
        assert {"date": "2026-03-03", "reason": "in the past"} in generated.json()["skipped"]

        added = call("post", api(episode), alice, {"scheduled_start": "2026-03-31T09:00:00-04:00", "minutes": 45})
        assert added.status_code == 201
        session_id = added.json()["id"]
        assert call("post", api(episode, f"/{session_id}/attend"), alice).json()["status"] == "attended"

        upcoming = generated.json()["created"][2]["id"]
        moved = call(
            "post",
            api(episode, f"/{upcoming}/reschedule"),
            alice,
            {"scheduled_start": "2026-04-15T11:00:00-04:00", "reason": "Holiday."},
        )
        assert moved.json()["scheduled_start"] == "2026-04-15T15:00:00Z"
        refused = call("post", api(episode, f"/{upcoming}/cancel"), alice, {"cancelled_by": "client", "reason": ""})
        assert refused.status_code == 422
        assert refused.json()["errors"]["reason"]
        cancelled = call(
            "post", api(episode, f"/{upcoming}/cancel"), alice, {"cancelled_by": "client", "reason": "Away."}
        )
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["number"] is None

    def test_a_cancelled_session_cannot_be_attended(self, episode: Episode, alice: User) -> None:
        session = book(episode, at(TODAY, 9), SessionStatus.CANCELLED)

        response = call("post", api(episode, f"/{session.pk}/attend"), alice)

        assert response.status_code == 422
        assert "cancelled session cannot be marked attended" in response.json()["errors"]["__all__"][0]

    def test_attendance_recorded_by_mistake_is_undone_until_a_note_is_written(
        self, held: TherapySession, alice: User
    ) -> None:
        episode = held.episode

        undone = call("post", api(episode, f"/{held.pk}/undo-attendance"), alice)
        assert (undone.status_code, undone.json()["status"]) == (200, "scheduled")

        call("post", api(episode, f"/{held.pk}/attend"), alice)
        do_save_note_draft(held, {"interval_history": "A quiet week."}, acting_user=alice)
        refused = call("post", api(episode, f"/{held.pk}/undo-attendance"), alice)
        assert refused.status_code == 422
        assert "A note is written for this session" in refused.json()["errors"]["__all__"][0]
        assert TherapySession.objects.get().status == SessionStatus.ATTENDED

    def test_a_time_without_its_offset_is_refused(self, episode: Episode, alice: User) -> None:
        response = call("post", api(episode), alice, {"scheduled_start": "2026-04-02T10:00:00"})

        assert response.status_code == 422
        assert "UTC offset" in response.json()["errors"]["scheduled_start"][0]

    def test_the_therapists_own_sessions_by_date_range(self, episode: Episode, alice: User, cody: User) -> None:
        book(episode, at(TODAY))
        book(episode, at(TODAY, 14), therapist=cody)

        mine = call("get", "/api/v1/therapy/sessions", alice, start="2026-03-30", end="2026-04-05").json()
        too_long = call("get", "/api/v1/therapy/sessions", alice, start="2026-01-01", end="2026-12-31")

        assert [item["therapist_id"] for item in mine["items"]] == [alice.pk]
        assert too_long.status_code == 422

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_staff_who_may_not_open_the_client_get_404(
        self, episode: Episode, persona: str, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(persona)
        session = book(episode, at(TODAY, 9))

        assert call("get", api(episode), user).status_code == 404
        assert call("post", api(episode, f"/{session.pk}/miss"), user).status_code == 404
        assert call("get", "/api/v1/therapy/sessions", user, start="2026-03-31", end="2026-03-31").json()["count"] == 0
        assert TherapySession.objects.get().status == SessionStatus.SCHEDULED

    def test_a_supervisor_reads_but_does_not_change_the_schedule(self, episode: Episode, bob: User) -> None:
        session = book(episode, at(TODAY, 9))

        assert call("get", api(episode), bob).status_code == 200
        assert call("post", api(episode, f"/{session.pk}/attend"), bob).status_code == 404


class TestNotes:
    DRAFT = {
        "interval_history": "Row with her sister; drank that night.",
        "mood": 4,
        "use_days": 1,
        "techniques": ["communication_analysis"],
        "risk_review": "none",
    }

    def test_put_saves_the_draft_and_get_reads_it(self, held: TherapySession, alice: User) -> None:
        saved = call("put", api(held.episode, f"/{held.pk}/note"), alice, self.DRAFT)

        assert saved.status_code == 200
        assert saved.json()["mood"] == 4
        read = call("get", api(held.episode, f"/{held.pk}/note"), alice)
        assert read.json()["interval_history"].startswith("Row with")
        assert AuditEvent.objects.filter(event_type=EventType.NOTE_VIEWED).count() == 1

    def test_patch_changes_only_what_is_sent(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        response = call("patch", api(held.episode, f"/{held.pk}/note"), alice, {"mood": None, "homework_set": "Call."})

        assert response.status_code == 200
        row = note_row(draft)
        assert (row["mood"], row["homework_set"], row["interval_history"]) == (None, "Call.", draft.interval_history)

    def test_rules_answer_422_in_the_error_shape(self, held: TherapySession, alice: User) -> None:
        response = call(
            "put", api(held.episode, f"/{held.pk}/note"), alice, self.DRAFT | {"risk_review": "high", "mood": 11}
        )

        assert response.status_code == 422
        body = response.json()
        assert body["detail"] == "The request has invalid fields."
        assert {"risk_notes", "mood"} <= set(body["errors"])

    def test_a_non_ipt_technique_is_flagged_and_listed_for_supervisors(
        self, held: TherapySession, alice: User, bob: User
    ) -> None:
        call("put", api(held.episode, f"/{held.pk}/note"), alice, self.DRAFT | {"techniques": ["dream_interpretation"]})

        flagged = call("get", "/api/v1/therapy/notes", bob, flagged="true").json()

        assert flagged["count"] == 1
        assert flagged["items"][0]["flagged_for_supervision"] is True
        assert call("get", "/api/v1/therapy/notes", bob, flagged="false").json()["count"] == 0

    def test_sign_then_every_change_is_refused_and_nothing_changes(
        self, draft: SessionNote, held: TherapySession, alice: User, sister
    ) -> None:
        url = api(held.episode, f"/{held.pk}/note")
        signed = call("post", url + "/sign", alice, {"signature": "Alice Ashby"})
        assert signed.status_code == 200 and signed.json()["is_signed"]
        before = note_row(draft)

        put = call("put", url, alice, self.DRAFT | {"interval_history": "Rewritten."})
        patch = call("patch", url, alice, {"mood": 9})
        incident = call("post", url + "/incidents", alice, {"person_id": sister.pk, "what_happened": "Later."})
        resign = call("post", url + "/sign", alice, {"signature": "Alice Ashby"})

        assert [put.status_code, patch.status_code, incident.status_code] == [409, 409, 409]
        assert resign.status_code in (409, 422)
        assert "amendment" in put.json()["detail"]
        assert note_row(draft) == before
        assert not InterpersonalIncident.objects.exists()

    def test_an_amendment_is_added_beside_the_original(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_sign_note(held, signature=alice.full_name, acting_user=alice)
        url = api(held.episode, f"/{held.pk}/note")

        no_reason = call("post", url + "/amendments", alice, {"field": "mood", "text": "5", "reason": ""})
        added = call("post", url + "/amendments", alice, {"field": "mood", "text": "5, not 4.", "reason": "Misheard."})

        assert no_reason.status_code == 422
        assert added.status_code == 201
        note = call("get", url, alice).json()
        assert note["mood"] == 4
        assert [a["text"] for a in note["amendments"]] == ["5, not 4."]
        assert NoteAmendment.objects.count() == 1

    def test_the_co_signature(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User
    ) -> None:
        from iptcare.therapy.actions_notes import do_save_note_settings

        do_save_note_settings(alice.organization_id, require_cosign_for_supervised=True, acting_user=eve)
        url = api(held.episode, f"/{held.pk}/note")
        assert call("post", url + "/sign", alice, {"signature": "Alice Ashby"}).json()["awaiting_cosignature"]

        by_author = call("post", url + "/cosign", alice, {"signature": "Alice Ashby"})
        by_supervisor = call("post", url + "/cosign", bob, {"signature": "Bob Brennan"})

        assert by_author.status_code == 403
        assert by_supervisor.status_code == 200
        assert by_supervisor.json()["cosigned_by_id"] == bob.pk
        assert by_supervisor.json()["is_signed"]

    def test_the_physician_reads_but_may_not_write_or_sign(
        self, draft: SessionNote, held: TherapySession, pia: User
    ) -> None:
        url = api(held.episode, f"/{held.pk}/note")

        assert call("get", url, pia).status_code == 200
        assert call("put", url, pia, self.DRAFT).status_code == 403
        assert call("post", url + "/sign", pia, {"signature": "Pia Patel"}).status_code == 403
        assert not SessionNote.objects.get().is_signed

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_staff_who_may_not_open_the_client_get_404(
        self, draft: SessionNote, held: TherapySession, persona: str, request: pytest.FixtureRequest
    ) -> None:
        user = request.getfixturevalue(persona)
        url = api(held.episode, f"/{held.pk}/note")

        assert call("get", url, user).status_code == 404
        assert call("put", url, user, self.DRAFT).status_code == 404
        assert call("get", "/api/v1/therapy/notes", user).json()["count"] == 0

    def test_an_unknown_field_is_refused(self, held: TherapySession, alice: User) -> None:
        response = call("put", api(held.episode, f"/{held.pk}/note"), alice, {"signed_at": "2026-01-01T00:00:00Z"})

        assert response.status_code == 422
        assert "signed_at" in response.json()["errors"]

    def test_a_note_not_yet_written_is_404(self, held: TherapySession, alice: User) -> None:
        assert call("get", api(held.episode, f"/{held.pk}/note"), alice).status_code == 404

    def test_incidents_through_the_api(self, held: TherapySession, alice: User, sister) -> None:
        do_save_note_draft(held, {"interval_history": "x"}, acting_user=alice)
        url = api(held.episode, f"/{held.pk}/note/incidents")

        added = call("post", url, alice, {"person_id": sister.pk, "what_happened": "A row.", "affect": "Angry"})
        assert added.status_code == 201
        assert added.json()["person"]["name"] == "Big sister"
        removed = call("delete", f"{url}/{added.json()['id']}", alice)
        assert removed.status_code == 204
        assert not InterpersonalIncident.objects.exists()

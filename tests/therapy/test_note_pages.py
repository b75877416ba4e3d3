"""The note's pages: writing the draft (by the button and by autosave), signing, the locked note, amendments shown
under the original, the co-signature, measures of the day, and who may read or write."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.measures.actions import do_record_administration
from iptcare.therapy.actions_notes import do_amend_note, do_save_note_settings, do_sign_note
from iptcare.therapy.models import InterpersonalIncident, SessionNote, TherapySession
from tests.conftest import sign_in
from tests.therapy.conftest import session_url

pytestmark = pytest.mark.django_db

DRAFT = {
    "interval_history": "Row with her sister on Friday; drank four beers that night.",
    "mood": "4",
    "use_days": "1",
    "use_summary": "Beer on Friday after the row.",
    "problem_area": "",
    "dispute_stage": "",
    "techniques": ["communication_analysis", "role_play"],
    "homework_reviewed": "",
    "homework_set": "Say one thing she needs from her sister.",
    "risk_review": "none",
    "risk_notes": "",
    "next_session_plan": "Role play the conversation.",
}


class TestWriting:
    def test_the_page_offers_the_draft_form_with_autosave(self, held: TherapySession, alice: User) -> None:
        response = sign_in(alice).get(session_url(held))

        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-autosave-url="' + session_url(held, "note/autosave/") + '"' in page
        assert "therapy/autosave.js" in page
        assert "<script>" not in page  # no inline script: the page keeps a strict CSP possible
        assert 'for="id_interval_history"' in page and 'name="techniques"' in page

    def test_save_draft_works_without_javascript(self, held: TherapySession, alice: User) -> None:
        response = sign_in(alice).post(session_url(held), DRAFT, follow=True)

        note = SessionNote.objects.get()
        assert note.mood == 4 and note.techniques == ["communication_analysis", "role_play"]
        assert "Draft saved 12:00" in response.content.decode()
        assert AuditEvent.objects.filter(event_type=EventType.NOTE_CHANGED).count() == 1

    def test_autosave_answers_json(self, held: TherapySession, alice: User) -> None:
        response = sign_in(alice).post(session_url(held, "note/autosave/"), DRAFT)

        assert response.status_code == 200
        assert response.json()["detail"] == "Draft saved 12:00"
        assert SessionNote.objects.get().homework_set.startswith("Say one thing")

    def test_autosave_says_which_field_needs_attention(self, held: TherapySession, alice: User) -> None:
        response = sign_in(alice).post(session_url(held, "note/autosave/"), DRAFT | {"risk_review": "high"})

        assert response.status_code == 422
        assert "Risk" in response.json()["detail"]
        assert "risk_notes" in response.json()["errors"]
        assert not SessionNote.objects.exists()

    def test_autosave_of_a_signed_note_answers_409_and_changes_nothing(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_sign_note(held, signature=alice.full_name, acting_user=alice)

        response = sign_in(alice).post(session_url(held, "note/autosave/"), DRAFT)

        assert response.status_code == 409
        assert SessionNote.objects.get().interval_history == draft.interval_history

    def test_an_incident_is_added_and_removed(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        http = sign_in(alice)
        http.post(
            session_url(held, "note/incidents/"),
            {"person": sister.pk, "what_happened": "She hung up.", "affect": "Hurt", "communication_analysis": ""},
        )
        incident = InterpersonalIncident.objects.get()
        assert "She hung up." in http.get(session_url(held)).content.decode()

        http.post(session_url(held, f"note/incidents/{incident.pk}/remove/"))
        assert not InterpersonalIncident.objects.exists()

    def test_the_pre_fill_is_shown_with_its_source(self, held: TherapySession, fern: Client, alice: User) -> None:
        from iptcare.substance_use.actions import do_record_check_in

        do_record_check_in(
            fern, {"date": held.scheduled_start.date(), "mood": 7, "used": False}, acting_user=alice, notify=False
        )

        response = sign_in(alice).get(session_url(held))

        assert response.context["form"].initial["mood"] == 7
        assert "Pre-filled: mood from 1 daily check-ins" in response.content.decode()

    def test_a_scheduled_session_has_no_note_yet(self, episode, alice: User) -> None:
        from tests.therapy.conftest import TODAY, at, book

        later = book(episode, at(TODAY, 15))

        response = sign_in(alice).get(session_url(later))

        assert "once the session is recorded as attended" in response.content.decode()
        assert response.context["form"] is None


class TestSigningAndLock:
    def test_the_therapist_signs_with_their_name_and_the_page_shows_it_locked(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        http = sign_in(alice)
        wrong = http.post(session_url(held, "note/sign/"), {"signature": "Somebody"})
        assert "Alice Ashby" in str(wrong.context["form"].errors["signature"])

        http.post(session_url(held, "note/sign/"), {"signature": "Alice Ashby"})
        page = http.get(session_url(held)).content.decode()

        assert SessionNote.objects.get().is_signed
        assert "Signed and locked" in page
        assert 'id="note-form"' not in page
        assert "Signed by Alice Ashby at 2026-03-31 12:00." in page

    def test_signing_a_note_without_a_risk_review_is_refused_with_the_reason(
        self, held: TherapySession, alice: User
    ) -> None:
        http = sign_in(alice)
        http.post(session_url(held), DRAFT | {"risk_review": ""})

        response = http.post(session_url(held, "note/sign/"), {"signature": "Alice Ashby"})

        assert "risk review" in str(response.context["form"].non_field_errors())
        assert not SessionNote.objects.get().is_signed

    def test_posting_a_draft_to_a_signed_note_changes_nothing(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_sign_note(held, signature=alice.full_name, acting_user=alice)

        response = sign_in(alice).post(session_url(held), DRAFT, follow=True)

        assert "signed and locked" in response.content.decode()
        assert SessionNote.objects.get().interval_history == draft.interval_history

    def test_amendments_show_in_order_below_the_original(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_sign_note(held, signature=alice.full_name, acting_user=alice)
        http = sign_in(alice)
        http.post(
            session_url(held, "note/amend/"),
            {"field": "interval_history", "text": "It was Thursday.", "reason": "Client corrected the day."},
        )
        do_amend_note(
            held, field="interval_history", text="Three beers, not four.", reason="Recount.", acting_user=alice
        )

        page = http.get(session_url(held)).content.decode()

        original = page.index("Argued with her sister on Friday")
        first = page.index("It was Thursday.")
        second = page.index("Three beers, not four.")
        assert original < first < second
        assert "Reason: Client corrected the day." in page

    def test_an_amendment_without_a_reason_is_refused_on_the_page(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_sign_note(held, signature=alice.full_name, acting_user=alice)

        response = sign_in(alice).post(session_url(held, "note/amend/"), {"field": "mood", "text": "5", "reason": ""})

        assert "reason" in response.context["form"].errors


class TestCoSignaturePage:
    def test_the_supervisor_sees_awaiting_and_co_signs(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User
    ) -> None:
        do_save_note_settings(alice.organization_id, require_cosign_for_supervised=True, acting_user=eve)
        do_sign_note(held, signature=alice.full_name, acting_user=alice)
        http = sign_in(bob)

        page = http.get(session_url(held)).content.decode()
        assert "Awaiting co-signature" in page
        assert "Type your full name to co-sign" in page

        http.post(session_url(held, "note/cosign/"), {"signature": "Bob Brennan"})

        note = SessionNote.objects.get()
        assert note.cosigned_by == bob and note.is_signed
        assert "Co-signed by Bob Brennan" in http.get(session_url(held)).content.decode()

    def test_the_author_is_not_offered_the_co_signature(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User
    ) -> None:
        do_save_note_settings(alice.organization_id, require_cosign_for_supervised=True, acting_user=eve)
        do_sign_note(held, signature=alice.full_name, acting_user=alice)

        page = sign_in(alice).get(session_url(held)).content.decode()

        assert "Awaiting co-signature" in page
        assert "Type your full name to co-sign" not in page


class TestAccess:
    def test_the_physician_reads_the_note_but_cannot_write_or_sign_it(
        self, draft: SessionNote, held: TherapySession, pia: User
    ) -> None:
        http = sign_in(pia)

        page = http.get(session_url(held))
        assert page.status_code == 200
        assert "Argued with her sister" in page.content.decode()
        assert 'id="note-form"' not in page.content.decode()
        assert http.post(session_url(held), DRAFT).status_code == 403
        assert http.post(session_url(held, "note/autosave/"), DRAFT).status_code == 403
        assert http.post(session_url(held, "note/sign/"), {"signature": "Pia Patel"}).status_code == 403
        note = SessionNote.objects.get()
        assert not note.is_signed and note.mood == 4

    @pytest.mark.parametrize("persona", ["tom", "carol"])
    def test_staff_who_may_not_open_the_client_get_404(
        self, draft: SessionNote, held: TherapySession, persona: str, request: pytest.FixtureRequest
    ) -> None:
        http = sign_in(request.getfixturevalue(persona))

        for page in ("note/", "note/sign/", "note/amend/"):
            assert http.get(session_url(held, page)).status_code == 404
        assert http.post(session_url(held, "note/autosave/"), DRAFT).status_code == 404

    def test_nothing_without_signing_in_and_nothing_client_facing(
        self, draft: SessionNote, held: TherapySession
    ) -> None:
        anonymous = HttpClient()
        episode = held.episode
        api = f"/api/v1/therapy/clients/{episode.client_id}/episodes/{episode.pk}/sessions/{held.pk}/note"

        assert anonymous.get(session_url(held))["Location"].startswith("/accounts/login/")
        assert anonymous.post(session_url(held, "note/autosave/"), DRAFT).status_code == 302
        assert anonymous.get(api).status_code == 401
        assert not AuditEvent.objects.filter(event_type=EventType.NOTE_VIEWED).exists()

    def test_reading_the_note_is_audited(self, draft: SessionNote, held: TherapySession, pia: User) -> None:
        sign_in(pia).get(session_url(held))

        event = AuditEvent.objects.get(event_type=EventType.NOTE_VIEWED)
        assert (event.actor, event.client_id, event.object_id) == (pia, held.episode.client_id, str(draft.pk))


def test_the_day_s_measures_are_shown_with_links_to_give_more(held: TherapySession, fern: Client, alice: User) -> None:
    answers = {str(n): 1 for n in range(1, 10)} | {"9": 0}
    administration = do_record_administration(fern, "PHQ-9", answers, acting_user=alice)

    page = sign_in(alice).get(session_url(held)).content.decode()

    assert f"/clients/{fern.pk}/measures/{administration.pk}/" in page
    assert f"/clients/{fern.pk}/measures/give/PHQ-9/" in page

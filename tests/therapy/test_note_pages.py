"""The note's pages: writing the draft (by the button and by autosave), signing, the locked note, amendments shown
under the original, the co-signature, measures of the day, and who may read or write."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.measures.actions import do_record_administration
from iptcare.therapy.actions_notes import do_add_incident, do_amend_note, do_save_note_settings, do_sign_note
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


def incident(person: Person, **fields: str) -> dict[str, str]:
    """The incident's fields as the note's form posts them."""
    values = {"person": str(person.pk), "what_happened": "", "affect": "", "communication_analysis": ""} | fields
    return {f"incident-{name}": value for name, value in values.items()}


class TestNothingTypedIsLost:
    """The note page is one form: whichever button is pressed, the draft as typed is saved first."""

    def test_the_incident_is_part_of_the_notes_form(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        do_add_incident(held, {"person": sister, "what_happened": "She hung up."}, acting_user=alice)

        page = sign_in(alice).get(session_url(held)).content.decode()

        form = page[page.index('<form id="note-form"') : page.index("</form>", page.index('<form id="note-form"'))]
        assert "<form" not in form[1:]  # no form inside the note's form: its buttons post the draft with them
        assert 'name="incident-what_happened"' in form and 'name="add_incident"' in form
        assert 'name="remove_incident"' in form and 'name="sign"' in form
        assert form.index(">Save draft</button>") < form.index('name="remove_incident"')  # Enter saves the draft

    def test_adding_an_incident_saves_the_changed_draft_too(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        posted = (
            DRAFT
            | {"next_session_plan": "Ask her sister for a lift."}
            | incident(sister, what_happened="She hung up.", affect="Hurt")
        )

        response = sign_in(alice).post(session_url(held), posted | {"add_incident": "1"}, follow=True)

        note = SessionNote.objects.get()
        assert note.next_session_plan == "Ask her sister for a lift."
        assert (note.incidents.get().what_happened, note.incidents.get().affect) == ("She hung up.", "Hurt")
        assert [str(m) for m in response.context["messages"]] == ["Draft saved 12:00. Incident added to the note."]
        kinds = [e.extra["kind"] for e in AuditEvent.objects.filter(event_type=EventType.NOTE_CHANGED).order_by("pk")]
        assert kinds[-2:] == ["draft", "incident_added"]

    def test_save_draft_adds_an_incident_typed_below_it(
        self, held: TherapySession, alice: User, sister: Person
    ) -> None:
        sign_in(alice).post(session_url(held), DRAFT | incident(sister, what_happened="She hung up."))

        note = SessionNote.objects.get()
        assert note.mood == 4 and note.incidents.get().what_happened == "She hung up."

    def test_an_incomplete_incident_comes_back_as_typed_and_the_draft_is_saved(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        posted = DRAFT | {"next_session_plan": "Ask her sister for a lift."} | incident(sister, affect="Ashamed")
        posted["incident-person"] = ""

        response = sign_in(alice).post(session_url(held), posted | {"add_incident": "1"})

        assert response.status_code == 200
        assert SessionNote.objects.get().next_session_plan == "Ask her sister for a lift."
        assert not InterpersonalIncident.objects.exists()
        incident_form = response.context["incident_form"]
        assert {"person", "what_happened"} <= set(incident_form.errors)
        assert 'value="Ashamed"' in response.content.decode()
        [message] = response.context["messages"]
        assert "The incident is not added yet" in str(message)

    def test_when_the_draft_needs_attention_nothing_is_saved_and_everything_comes_back(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        posted = DRAFT | {"risk_review": "high", "next_session_plan": "Safety plan first."}
        posted |= incident(sister, what_happened="She shouted at her.")

        response = sign_in(alice).post(session_url(held), posted | {"add_incident": "1"})

        page = response.content.decode()
        assert "risk_notes" in response.context["form"].errors
        assert "Safety plan first." in page and "She shouted at her." in page
        note = SessionNote.objects.get()
        assert note.next_session_plan == "" and note.risk_review == "none"
        assert not InterpersonalIncident.objects.exists()

    def test_removing_an_incident_saves_the_changed_draft_too(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        added = do_add_incident(held, {"person": sister, "what_happened": "She hung up."}, acting_user=alice)
        posted = DRAFT | {"homework_set": "Write down what she wants to say."} | incident(sister)
        posted["incident-person"] = ""

        sign_in(alice).post(session_url(held), posted | {"remove_incident": str(added.pk)})

        assert SessionNote.objects.get().homework_set == "Write down what she wants to say."
        assert not InterpersonalIncident.objects.exists()

    def test_sign_the_note_saves_the_draft_then_opens_the_signing_page(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        response = sign_in(alice).post(session_url(held), DRAFT | {"sign": "1", "mood": "6"})

        assert response["Location"] == session_url(held, "note/sign/")
        assert SessionNote.objects.get().mood == 6


class TestDisputeStageHelp:
    CARRIED = "Signing moves the dispute's stage in the formulation (its history keeps each stage)."

    @pytest.fixture
    def dispute(self, episode, alice: User, sister: Person):
        from iptcare.ipt.actions_formulation import do_add_problem_area

        return do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Her sister."},
            acting_user=alice,
        )

    def test_it_says_signing_moves_the_stage_when_a_role_dispute_is_the_focus(
        self, dispute, held: TherapySession, alice: User
    ) -> None:
        http = sign_in(alice)
        assert self.CARRIED not in http.get(session_url(held)).content.decode()

        http.post(session_url(held), DRAFT | {"problem_area": str(dispute.pk), "dispute_stage": "renegotiation"})
        page = http.get(session_url(held)).content.decode()

        assert self.CARRIED in page
        sign_page = http.get(session_url(held, "note/sign/")).content.decode()
        assert "moves the role dispute's stage in the formulation from impasse to renegotiation" in sign_page

    def test_it_says_so_on_a_page_posted_back_with_a_role_dispute_chosen(
        self, dispute, held: TherapySession, alice: User
    ) -> None:
        posted = DRAFT | {"problem_area": str(dispute.pk), "risk_review": "high"}

        response = sign_in(alice).post(session_url(held), posted)

        assert self.CARRIED in response.content.decode()


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

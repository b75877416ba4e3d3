"""The session note through its actions: the draft and its pre-fill, signing and the lock, amendments, the
co-signature, and the non-IPT technique flag."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptcare.accounts.models import SupervisionLink, User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.clients.models import Client, Person
from iptcare.encryption.audit import open_changes
from iptcare.ipt.actions_formulation import do_add_problem_area
from iptcare.ipt.models import Episode
from iptcare.substance_use.actions import do_record_check_in
from iptcare.therapy.actions_notes import (
    do_add_incident,
    do_amend_note,
    do_cosign_note,
    do_remove_incident,
    do_save_note_draft,
    do_save_note_settings,
    do_sign_note,
)
from iptcare.therapy.models import InterpersonalIncident, NoteAmendment, SessionNote, SessionStatus, TherapySession
from iptcare.therapy.prefill import prefill_for
from tests.therapy.conftest import TODAY, at, book

pytestmark = pytest.mark.django_db


def sign(session: TherapySession, user: User) -> SessionNote:
    return do_sign_note(session, signature=user.full_name, acting_user=user)


class TestDraft:
    def test_the_therapist_saves_a_draft_and_it_is_audited(self, held: TherapySession, alice: User) -> None:
        note = do_save_note_draft(
            held, {"interval_history": "A quiet week.", "mood": 6, "techniques": ["clarification"]}, acting_user=alice
        )

        assert note.author == alice
        assert not note.is_signed
        event = AuditEvent.objects.get(event_type=EventType.NOTE_CHANGED)
        assert open_changes(event.extra["changes"])["interval_history"] == [None, "A quiet week."]
        assert "enc1:" in str(event.extra["changes"])  # the stored values are sealed
        assert event.extra["session_id"] == held.pk

    def test_saving_again_changes_only_what_was_sent(
        self, draft: SessionNote, held: TherapySession, alice: User
    ) -> None:
        do_save_note_draft(held, {"homework_set": "Tell her sister how Friday felt."}, acting_user=alice)

        draft.refresh_from_db()
        assert draft.homework_set == "Tell her sister how Friday felt."
        assert draft.interval_history.startswith("Argued")

    def test_a_note_is_for_an_attended_session(self, episode: Episode, alice: User) -> None:
        upcoming = book(episode, at(dt.date(2026, 4, 7)))

        with pytest.raises(ValidationError, match="attended"):
            do_save_note_draft(upcoming, {"interval_history": "x"}, acting_user=alice)

    def test_moderate_or_high_risk_needs_its_notes(self, held: TherapySession, alice: User) -> None:
        with pytest.raises(ValidationError) as refused:
            do_save_note_draft(held, {"risk_review": "moderate"}, acting_user=alice)

        assert "risk_notes" in refused.value.message_dict
        assert not SessionNote.objects.exists()

    def test_a_dispute_stage_needs_a_role_dispute_as_focus(
        self, held: TherapySession, episode: Episode, alice: User, sister: Person
    ) -> None:
        transition = do_add_problem_area(
            episode,
            {"kind": "role_transition", "rationale": "Early abstinence.", "old_role": "Drinking", "new_role": "Sober"},
            acting_user=alice,
        )
        with pytest.raises(ValidationError) as refused:
            do_save_note_draft(held, {"problem_area": transition, "dispute_stage": "impasse"}, acting_user=alice)
        assert "dispute_stage" in refused.value.message_dict

        dispute = do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Her sister."},
            acting_user=alice,
        )
        note = do_save_note_draft(held, {"problem_area": dispute, "dispute_stage": "renegotiation"}, acting_user=alice)
        assert (note.problem_area, note.dispute_stage) == (dispute, "renegotiation")

    def test_signing_moves_the_disputes_stage_and_keeps_its_history(
        self, held: TherapySession, episode: Episode, alice: User, sister: Person
    ) -> None:
        dispute = do_add_problem_area(
            episode,
            {"kind": "role_dispute", "dispute_stage": "impasse", "dispute_with": sister, "rationale": "Her sister."},
            acting_user=alice,
        )
        do_save_note_draft(
            held,
            {
                "problem_area": dispute,
                "dispute_stage": "renegotiation",
                "interval_history": "They talked on Sunday without shouting.",
                "risk_review": "none",
            },
            acting_user=alice,
        )
        do_sign_note(held, signature="Alice Ashby", acting_user=alice)
        dispute.refresh_from_db()
        assert dispute.dispute_stage == "renegotiation"
        assert [c.stage for c in dispute.stage_changes.order_by("id")] == ["impasse", "renegotiation"]
        assert "From the note of the session" in dispute.stage_changes.order_by("id").last().note


class TestTechniques:
    def test_ipt_techniques_are_not_flagged(self, held: TherapySession, alice: User) -> None:
        note = do_save_note_draft(
            held, {"techniques": ["communication_analysis", "role_play", "decision_analysis"]}, acting_user=alice
        )

        assert not note.flagged_for_supervision

    def test_a_non_ipt_technique_is_stored_and_flagged_for_supervision(self, held: TherapySession, alice: User) -> None:
        note = do_save_note_draft(held, {"techniques": ["clarification", "dream_interpretation"]}, acting_user=alice)

        assert note.techniques == ["clarification", "dream_interpretation"]
        assert note.flagged_for_supervision
        assert list(SessionNote.objects.flagged_for_supervision()) == [note]
        assert [label for label, is_ipt in note.technique_labels() if not is_ipt] == ["Dream interpretation (not IPT)"]

        unflagged = do_save_note_draft(held, {"techniques": ["clarification"]}, acting_user=alice)
        assert not unflagged.flagged_for_supervision

    def test_an_unknown_technique_is_refused(self, held: TherapySession, alice: User) -> None:
        with pytest.raises(ValidationError, match="hypnosis"):
            do_save_note_draft(held, {"techniques": ["hypnosis"]}, acting_user=alice)


class TestPrefill:
    def check_in(self, client: Client, alice: User, day: int, mood: int, used: bool, **extra) -> None:
        data = {"date": dt.date(2026, 3, day), "mood": mood, "used": used, "substances": ["alcohol"] if used else []}
        do_record_check_in(client, data | extra, acting_user=alice, notify=False)

    def test_mood_and_use_come_from_the_check_ins_since_the_last_held_session(
        self, episode: Episode, fern: Client, alice: User, sister: Person
    ) -> None:
        book(episode, at(dt.date(2026, 3, 24)), SessionStatus.ATTENDED)
        today = book(episode, at(TODAY), SessionStatus.ATTENDED)
        self.check_in(fern, alice, 24, 9, False)  # the day of the last session: not "since"
        self.check_in(fern, alice, 25, 5, False)
        self.check_in(fern, alice, 27, 2, True, interpersonal_event="Row with her sister.", person=sister)
        self.check_in(fern, alice, 28, 4, True)
        self.check_in(fern, alice, 30, 5, False)

        prefill = prefill_for(today)

        assert (prefill.start, prefill.end) == (dt.date(2026, 3, 25), TODAY)
        assert prefill.mood == 4  # mean of 5, 2, 4, 5
        assert prefill.use_days == 2
        assert prefill.use_summary == "Used on 2 of 4 recorded days (Alcohol 2); 3 days not recorded."
        assert "from 4 daily check-ins" in prefill.source
        assert "2026-03-25 to 2026-03-31" in prefill.source
        assert [(e.date, e.person) for e in prefill.events] == [(dt.date(2026, 3, 27), "Big sister")]

    def test_the_source_is_kept_when_the_values_are_saved_as_pre_filled(
        self, held: TherapySession, fern: Client, alice: User
    ) -> None:
        self.check_in(fern, alice, 30, 7, False)
        prefill = prefill_for(held)

        note = do_save_note_draft(held, prefill.initial(), acting_user=alice)
        assert note.prefill_source == prefill.source

        typed = do_save_note_draft(held, {"mood": 3}, acting_user=alice)
        assert typed.prefill_source == ""

    def test_with_nothing_recorded_there_is_nothing_to_pre_fill(self, held: TherapySession) -> None:
        prefill = prefill_for(held)

        assert not prefill.has_values
        assert prefill.source == ""
        assert prefill.start == TODAY - dt.timedelta(days=6)


class TestIncidents:
    def test_an_incident_names_one_of_the_clients_people(
        self, held: TherapySession, alice: User, sister: Person, carol: User, south, south_site
    ) -> None:
        from tests.conftest import make_client

        stranger = Person.objects.create(
            client=make_client(south, south_site), name="Stranger", relationship_type="other"
        )

        with pytest.raises(ValidationError) as refused:
            do_add_incident(held, {"person": stranger, "what_happened": "x"}, acting_user=alice)
        assert "person" in refused.value.message_dict

        incident = do_add_incident(
            held,
            {"person": sister, "what_happened": "She hung up on Fern.", "affect": "Hurt, then angry."},
            acting_user=alice,
        )
        assert incident.note.session == held

    def test_a_draft_incident_can_be_removed(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        incident = do_add_incident(held, {"person": sister, "what_happened": "A row."}, acting_user=alice)

        do_remove_incident(held, incident, acting_user=alice)

        assert not InterpersonalIncident.objects.exists()


class TestSigningAndTheLock:
    def test_signing_locks_the_note(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        note = sign(held, alice)

        assert note.is_signed
        assert note.signature == "Alice Ashby"
        with pytest.raises(ValidationError, match="signed and locked") as refused:
            do_save_note_draft(held, {"interval_history": "Rewritten."}, acting_user=alice)
        assert refused.value.code == "locked"
        draft.refresh_from_db()
        assert draft.interval_history.startswith("Argued")

    def test_the_incidents_lock_with_the_note(
        self, draft: SessionNote, held: TherapySession, alice: User, sister: Person
    ) -> None:
        incident = do_add_incident(held, {"person": sister, "what_happened": "A row."}, acting_user=alice)
        sign(held, alice)

        with pytest.raises(ValidationError, match="signed and locked"):
            do_add_incident(held, {"person": sister, "what_happened": "Another."}, acting_user=alice)
        with pytest.raises(ValidationError, match="signed and locked"):
            do_remove_incident(held, incident, acting_user=alice)
        assert InterpersonalIncident.objects.count() == 1

    def test_signing_needs_the_interval_history_and_a_risk_review(self, held: TherapySession, alice: User) -> None:
        do_save_note_draft(held, {"mood": 5}, acting_user=alice)

        with pytest.raises(ValidationError) as refused:
            sign(held, alice)

        assert set(refused.value.message_dict) == {"interval_history", "risk_review"}
        assert not SessionNote.objects.get().is_signed

    def test_the_therapist_types_their_own_name(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        with pytest.raises(ValidationError) as refused:
            do_sign_note(held, signature="Bob Brennan", acting_user=alice)

        assert "Alice Ashby" in refused.value.message_dict["signature"][0]

    def test_only_the_sessions_or_primary_therapist_writes_and_signs(
        self, draft: SessionNote, held: TherapySession, pia: User, cody: User
    ) -> None:
        for other in (pia, cody):
            with pytest.raises(PermissionDenied):
                do_save_note_draft(held, {"mood": 1}, acting_user=other)
            with pytest.raises(PermissionDenied):
                do_sign_note(held, signature=other.full_name, acting_user=other)

        assert not SessionNote.objects.get().is_signed

    def test_the_sessions_own_therapist_writes_it_too(
        self, episode: Episode, fern: Client, alice: User, cody: User
    ) -> None:
        # Cody (counsellor on the team) holds this session in Alice's place.
        session = book(episode, at(TODAY, 9), SessionStatus.ATTENDED, therapist=cody)
        do_save_note_draft(session, {"interval_history": "Covered for Alice.", "risk_review": "none"}, acting_user=cody)

        assert sign(session, cody).signed_by == cody

    def test_signing_is_audited(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        sign(held, alice)

        event = AuditEvent.objects.get(event_type=EventType.NOTE_SIGNED)
        assert event.actor == alice
        assert event.object_id == str(draft.pk)
        assert event.extra["signature"] == "Alice Ashby"


class TestAmendments:
    def test_an_amendment_keeps_the_original(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        sign(held, alice)

        amendment = do_amend_note(
            held,
            field="interval_history",
            text="The argument was on Thursday, not Friday.",
            reason="Client corrected the day at the next session.",
            acting_user=alice,
        )

        draft.refresh_from_db()
        assert draft.interval_history == "Argued with her sister on Friday; drank that evening."
        assert amendment.note == draft
        event = AuditEvent.objects.get(event_type=EventType.NOTE_AMENDED)
        assert event.reason == "Client corrected the day at the next session."
        assert event.extra["field"] == "interval_history"

    def test_an_amendment_needs_a_reason(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        sign(held, alice)

        with pytest.raises(ValidationError) as refused:
            do_amend_note(held, field="mood", text="5, not 4.", reason=" ", acting_user=alice)

        assert "reason" in refused.value.message_dict
        assert not NoteAmendment.objects.exists()

    def test_a_draft_is_not_amended(self, draft: SessionNote, held: TherapySession, alice: User) -> None:
        with pytest.raises(ValidationError, match="amendments are for signed notes"):
            do_amend_note(held, field="mood", text="5", reason="typo", acting_user=alice)


class TestCoSignature:
    def require_cosign(self, alice: User, eve: User, on: bool = True) -> None:
        do_save_note_settings(alice.organization_id, require_cosign_for_supervised=on, acting_user=eve)

    def test_with_the_setting_off_no_co_signature_is_needed(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User
    ) -> None:
        note = sign(held, alice)

        assert not note.cosign_required
        assert not note.awaiting_cosignature
        with pytest.raises(ValidationError, match="does not need"):
            do_cosign_note(held, signature=bob.full_name, acting_user=bob)

    def test_with_the_setting_on_the_supervisor_co_signs_and_the_note_stays_locked(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User
    ) -> None:
        self.require_cosign(alice, eve)
        note = sign(held, alice)
        assert note.awaiting_cosignature

        cosigned = do_cosign_note(held, signature="bob brennan", acting_user=bob)

        assert not cosigned.awaiting_cosignature
        assert (cosigned.cosigned_by, cosigned.cosignature) == (bob, "bob brennan")
        with pytest.raises(ValidationError, match="signed and locked"):
            do_save_note_draft(held, {"mood": 9}, acting_user=alice)
        with pytest.raises(ValidationError, match="already co-signed"):
            do_cosign_note(held, signature=bob.full_name, acting_user=bob)

    def test_a_therapist_without_a_supervisor_needs_none(
        self, episode: Episode, alice: User, cody: User, eve: User
    ) -> None:
        self.require_cosign(alice, eve)
        session = book(episode, at(TODAY, 9), SessionStatus.ATTENDED, therapist=cody)
        do_save_note_draft(session, {"interval_history": "x", "risk_review": "low"}, acting_user=cody)

        assert not sign(session, cody).cosign_required

    def test_only_a_supervisor_of_the_signer_co_signs(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User, north
    ) -> None:
        from iptcare.accounts.models import Role
        from tests.conftest import make_staff

        other_supervisor = make_staff(north, "olga@north.test", "Olga Ortiz", Role.SUPERVISOR)
        SupervisionLink.objects.create(supervisor=other_supervisor, supervisee=bob)
        self.require_cosign(alice, eve)
        sign(held, alice)

        with pytest.raises(PermissionDenied):
            do_cosign_note(held, signature="Olga Ortiz", acting_user=other_supervisor)
        with pytest.raises(PermissionDenied):
            do_cosign_note(held, signature="Alice Ashby", acting_user=alice)
        assert SessionNote.objects.get().awaiting_cosignature

    def test_turning_the_setting_off_later_does_not_change_what_a_signed_note_needed(
        self, draft: SessionNote, held: TherapySession, alice: User, bob: User, eve: User
    ) -> None:
        self.require_cosign(alice, eve)
        sign(held, alice)
        self.require_cosign(alice, eve, on=False)

        assert SessionNote.objects.get().awaiting_cosignature

"""The group note and its member notes: drafts, the techniques and the non-IPT flag, signing, and the lock — in the
actions and in the database itself (iptcare/groups/triggers.py), whatever path a change takes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from iptcare.accounts.models import User
from iptcare.audit.models import AuditEvent, EventType
from iptcare.groups import triggers
from iptcare.groups.actions import do_record_attendance
from iptcare.groups.actions_notes import do_save_group_note_draft, do_save_member_note, do_sign_group_note
from iptcare.groups.models import GroupMember, GroupNote, GroupSession, MemberNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(sessions: list[GroupSession], members: list[GroupMember], alice: User) -> GroupSession:
    """Session 1, held: everyone came but the last member."""
    statuses = {m.pk: "attended" for m in members}
    statuses[members[-1].pk] = "absent"
    do_record_attendance(sessions[0], statuses, acting_user=alice)
    return GroupSession.objects.get(pk=sessions[0].pk)


@pytest.fixture
def draft(held: GroupSession, alice: User) -> GroupNote:
    return do_save_group_note_draft(
        held,
        {"worked_on": "Introductions; each named their problem area.", "techniques": ["clarification"]},
        acting_user=alice,
    )


@pytest.fixture
def signed(draft: GroupNote, held: GroupSession, members: list[GroupMember], alice: User) -> GroupNote:
    do_save_member_note(held, members[0], {"worked_on": "Her sister.", "mood": 4}, acting_user=alice)
    return do_sign_group_note(held, signature="alice ashby", acting_user=alice)


def refused(callable_, *args) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        callable_(*args)


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


class TestDrafts:
    def test_a_facilitator_writes_the_draft(self, draft: GroupNote, alice: User) -> None:
        assert (draft.author, draft.techniques, draft.flagged_for_supervision) == (alice, ["clarification"], False)
        event = AuditEvent.objects.filter(event_type=EventType.GROUP_CHANGED, extra__kind="note_draft").get()
        assert event.extra["created"] is True and "worked_on" in event.extra["changes"]

    def test_a_non_ipt_technique_flags_the_note(self, draft: GroupNote, held: GroupSession, alice: User) -> None:
        note = do_save_group_note_draft(held, {"techniques": ["role_play", "dream_interpretation"]}, acting_user=alice)

        assert note.flagged_for_supervision is True
        assert note.technique_labels() == [("Role play", True), ("Dream interpretation (not IPT)", False)]

    def test_an_unknown_technique_is_refused(self, held: GroupSession, alice: User) -> None:
        with pytest.raises(ValidationError) as error:
            do_save_group_note_draft(held, {"techniques": ["hypnosis"]}, acting_user=alice)

        assert "hypnosis" in error.value.message_dict["techniques"][0]

    def test_only_for_a_held_session(self, sessions: list[GroupSession], alice: User) -> None:
        with pytest.raises(ValidationError, match="record its attendance first"):
            do_save_group_note_draft(sessions[1], {"worked_on": "x"}, acting_user=alice)

    def test_only_a_facilitator_writes_it(self, held: GroupSession, bob: User) -> None:
        with pytest.raises(PermissionDenied):
            do_save_group_note_draft(held, {"worked_on": "x"}, acting_user=bob)


class TestMemberNotes:
    def test_a_member_who_attended_gets_a_short_note(
        self, draft: GroupNote, held: GroupSession, members: list[GroupMember], alice: User
    ) -> None:
        note = do_save_member_note(
            held,
            members[0],
            {"worked_on": "Asking her sister for help.", "mood": 6, "risk_flag": False},
            acting_user=alice,
        )

        assert (note.note, note.mood, note.written_by) == (draft, 6, alice)
        event = AuditEvent.objects.filter(extra__kind="member_note").get()
        assert event.client == members[0].client

    def test_the_first_member_note_starts_the_group_note(
        self, held: GroupSession, members: list[GroupMember], alice: User
    ) -> None:
        do_save_member_note(held, members[0], {"worked_on": "x"}, acting_user=alice)

        assert GroupNote.objects.filter(session=held).exists()

    def test_not_for_a_member_who_did_not_attend(
        self, held: GroupSession, members: list[GroupMember], alice: User
    ) -> None:
        with pytest.raises(ValidationError, match="who attended"):
            do_save_member_note(held, members[-1], {"worked_on": "x"}, acting_user=alice)

    @pytest.mark.parametrize(
        ("data", "field"),
        [({"mood": 11}, "mood"), ({"risk_flag": True, "risk_notes": " "}, "risk_notes")],
    )
    def test_mood_is_0_to_10_and_a_risk_says_what_was_done(
        self, held: GroupSession, members: list[GroupMember], alice: User, data: dict, field: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            do_save_member_note(held, members[0], data, acting_user=alice)

        assert field in error.value.message_dict


class TestSigning:
    def test_signing_locks_the_note(self, signed: GroupNote, alice: User) -> None:
        assert (signed.signature, signed.signed_by) == ("alice ashby", alice)
        assert AuditEvent.objects.filter(extra__kind="note_signed").exists()

    def test_it_needs_the_work_of_the_group_and_the_signers_own_name(self, held: GroupSession, alice: User) -> None:
        do_save_group_note_draft(held, {"themes": "Loneliness."}, acting_user=alice)

        with pytest.raises(ValidationError) as error:
            do_sign_group_note(held, signature="Tom Tran", acting_user=alice)

        assert set(error.value.message_dict) == {"worked_on", "signature"}

    @pytest.mark.parametrize("change", ["note", "member_note"])
    def test_the_actions_refuse_a_signed_note(
        self, signed: GroupNote, held: GroupSession, members: list[GroupMember], alice: User, change: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            if change == "note":
                do_save_group_note_draft(held, {"worked_on": "Rewritten."}, acting_user=alice)
            else:
                do_save_member_note(held, members[1], {"worked_on": "Added later."}, acting_user=alice)

        assert error.value.code == "locked"


class TestDatabaseLock:
    def test_a_draft_may_change(self, draft: GroupNote) -> None:
        GroupNote.objects.filter(pk=draft.pk).update(themes="Changed.")

        assert GroupNote.objects.get().themes == "Changed."

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("worked_on", "Rewritten."),
            ("themes", "Other."),
            ("techniques", ["dream_interpretation"]),
            ("flagged_for_supervision", True),
            ("observations", "Added."),
            ("signature", "Someone Else"),
            ("signed_at", None),
        ],
    )
    def test_the_database_refuses_changing_a_signed_note(self, signed: GroupNote, column: str, value: object) -> None:
        refused(lambda: GroupNote.objects.filter(pk=signed.pk).update(**{column: value}))

        assert getattr(GroupNote.objects.get(), column) == getattr(signed, column)

    def test_the_database_refuses_raw_sql_and_deleting(self, signed: GroupNote, draft: GroupNote) -> None:
        refused(raw, "UPDATE ipt_groups_groupnote SET worked_on = %s WHERE id = %s", ["Rewritten.", signed.pk])
        refused(raw, "DELETE FROM ipt_groups_groupnote WHERE id = %s", [signed.pk])

        assert GroupNote.objects.get().worked_on == draft.worked_on

    def test_the_member_notes_of_a_signed_note_stay_as_signed(
        self, signed: GroupNote, members: list[GroupMember], alice: User
    ) -> None:
        member_note = MemberNote.objects.get()

        refused(lambda: MemberNote.objects.filter(pk=member_note.pk).update(mood=9))
        refused(lambda: MemberNote.objects.filter(pk=member_note.pk).delete())
        refused(lambda: MemberNote.objects.create(note=signed, member=members[1], written_by=alice))
        assert list(MemberNote.objects.values_list("mood", flat=True)) == [4]

    def test_every_column_of_a_group_note_is_covered_by_the_lock(self) -> None:
        """A column added to GroupNote must be added to the trigger (and a migration that reinstalls it)."""
        columns = {field.column for field in GroupNote._meta.concrete_fields}

        assert columns == set(triggers.NOTE_SIGNED_COLUMNS)

    def test_the_postgresql_triggers_cover_the_same_rules(self) -> None:
        statements = " ".join(triggers.statements_for("postgresql"))

        assert "OLD.signed_at IS NOT NULL" in statements
        assert "NEW.worked_on IS DISTINCT FROM OLD.worked_on" in statements
        assert "BEFORE UPDATE OR DELETE ON ipt_groups_groupnote" in statements
        assert "BEFORE INSERT OR UPDATE OR DELETE ON ipt_groups_membernote" in statements
        assert "BEFORE TRUNCATE ON ipt_groups_groupnote" in statements

    def test_the_triggers_can_be_lifted_and_put_back(self) -> None:
        """The browser tests lift them to empty the database between tests."""
        if connection.vendor == "postgresql":
            query = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'ipt\\_groups\\_%%'"
        else:
            query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ipt_groups_%'"

        def installed() -> int:
            with connection.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetchone()[0]

        expected = len(triggers._trigger_names(connection.vendor))
        triggers.unprotect(connection)
        assert installed() == 0
        triggers.protect(connection)
        assert installed() == expected

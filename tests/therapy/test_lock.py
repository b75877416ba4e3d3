"""The database itself keeps a signed note as signed (iptcare/therapy/triggers.py): whatever path a change takes —
the ORM, raw SQL, a bug — it is refused once the note is signed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from iptcare.accounts.models import User
from iptcare.clients.models import Person
from iptcare.therapy import triggers
from iptcare.therapy.actions_notes import do_add_incident, do_amend_note, do_save_note_draft, do_sign_note
from iptcare.therapy.models import InterpersonalIncident, NoteAmendment, SessionNote, TherapySession

pytestmark = pytest.mark.django_db


def refused(callable_, *args) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        callable_(*args)


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def signed(draft: SessionNote, held: TherapySession, alice: User, sister: Person) -> SessionNote:
    do_add_incident(held, {"person": sister, "what_happened": "A row on Friday."}, acting_user=alice)
    return do_sign_note(held, signature=alice.full_name, acting_user=alice)


def test_a_draft_may_change(draft: SessionNote) -> None:
    SessionNote.objects.filter(pk=draft.pk).update(mood=7)

    assert SessionNote.objects.get().mood == 7


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("interval_history", "Rewritten."),
        ("mood", 9),
        ("techniques", ["dream_interpretation"]),
        ("flagged_for_supervision", True),
        ("risk_review", "high"),
        ("signature", "Someone Else"),
        ("signed_at", None),
        ("cosign_required", True),
    ],
)
def test_the_database_refuses_changing_a_signed_note(signed: SessionNote, column: str, value: object) -> None:
    refused(lambda: SessionNote.objects.filter(pk=signed.pk).update(**{column: value}))

    assert getattr(SessionNote.objects.get(), column) == getattr(signed, column)


def test_the_database_refuses_raw_sql_too(signed: SessionNote) -> None:
    refused(raw, "UPDATE therapy_sessionnote SET interval_history = %s WHERE id = %s", ["Rewritten.", signed.pk])

    assert SessionNote.objects.get().interval_history == signed.interval_history


def test_the_database_refuses_deleting_a_note(signed: SessionNote, draft: SessionNote) -> None:
    refused(raw, "DELETE FROM therapy_sessionnote WHERE id = %s", [signed.pk])

    assert SessionNote.objects.filter(pk=signed.pk).exists()


def test_a_draft_note_is_never_deleted_either(draft: SessionNote) -> None:
    refused(raw, "DELETE FROM therapy_sessionnote WHERE id = %s", [draft.pk])


def test_the_co_signature_is_added_once_then_kept(signed: SessionNote, bob: User) -> None:
    from django.utils import timezone

    SessionNote.objects.filter(pk=signed.pk).update(
        cosignature="Bob Brennan", cosigned_by=bob, cosigned_at=timezone.now()
    )

    refused(lambda: SessionNote.objects.filter(pk=signed.pk).update(cosignature="Nobody"))
    refused(lambda: SessionNote.objects.filter(pk=signed.pk).update(cosigned_at=None))
    assert SessionNote.objects.get().cosignature == "Bob Brennan"


def test_the_incidents_of_a_signed_note_stay_as_signed(signed: SessionNote, sister: Person) -> None:
    incident = InterpersonalIncident.objects.get()

    refused(lambda: InterpersonalIncident.objects.filter(pk=incident.pk).update(what_happened="Nothing happened."))
    refused(lambda: InterpersonalIncident.objects.filter(pk=incident.pk).delete())
    refused(lambda: InterpersonalIncident.objects.create(note=signed, person=sister, what_happened="Added afterwards."))
    assert list(InterpersonalIncident.objects.values_list("what_happened", flat=True)) == ["A row on Friday."]


def test_amendments_are_kept_as_written(signed: SessionNote, held: TherapySession, alice: User) -> None:
    amendment = do_amend_note(held, field="mood", text="5, not 4.", reason="Misheard.", acting_user=alice)

    refused(lambda: NoteAmendment.objects.filter(pk=amendment.pk).update(text="Something else."))
    refused(lambda: NoteAmendment.objects.filter(pk=amendment.pk).delete())
    assert NoteAmendment.objects.get().text == "5, not 4."


def test_the_action_refuses_before_the_database_has_to(signed: SessionNote, held: TherapySession, alice: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        do_save_note_draft(held, {"mood": 1}, acting_user=alice)

    assert error.value.code == "locked"


def test_every_column_of_a_note_is_covered_by_the_lock() -> None:
    """A column added to SessionNote must be added to the trigger (and a migration that reinstalls it)."""
    columns = {field.column for field in SessionNote._meta.concrete_fields}

    assert columns == set(triggers.NOTE_SIGNED_COLUMNS) | set(triggers.NOTE_COLUMNS_AFTER_SIGNING)


def test_the_postgresql_triggers_cover_the_same_rules() -> None:
    statements = " ".join(triggers.statements_for("postgresql"))

    assert "OLD.signed_at IS NOT NULL" in statements
    assert "NEW.interval_history IS DISTINCT FROM OLD.interval_history" in statements
    assert "BEFORE INSERT OR UPDATE OR DELETE ON therapy_interpersonalincident" in statements
    assert "BEFORE UPDATE OR DELETE ON therapy_noteamendment" in statements
    assert "BEFORE TRUNCATE ON therapy_sessionnote" in statements


def test_the_triggers_can_be_lifted_and_put_back() -> None:
    """The browser tests lift them to empty the database between tests."""
    if connection.vendor == "postgresql":
        query = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'therapy_%%'"
    else:
        query = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'therapy_%'"

    def installed() -> int:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchone()[0]

    expected = len(triggers._trigger_names(connection.vendor))
    assert expected >= 5
    triggers.unprotect(connection)
    assert installed() == 0
    triggers.protect(connection)
    assert installed() == expected

"""The database keeps a signed counselling note as signed (no UPDATE, no DELETE), keeps addenda as written, and
stores the text encrypted — whatever path a change takes (the ORM, raw SQL, a bug)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from iptcare.accounts.models import User
from iptcare.counselling import triggers
from iptcare.counselling.actions import do_add_addendum
from iptcare.counselling.models import CounsellingNote, CounsellingNoteAddendum
from tests.counselling.conftest import SECRET


def test_every_column_of_a_note_is_covered_by_the_signature() -> None:
    columns = {field.column for field in CounsellingNote._meta.concrete_fields}
    assert columns == set(triggers.NOTE_SIGNED_COLUMNS)


@pytest.mark.parametrize(
    "change",
    [{"text": "Rewritten."}, {"held_on": "2026-03-01"}, {"signature": "X"}, {"signed_at": None}, {"session": None}],
)
def test_database_refuses_updating_a_signed_note(signed: CounsellingNote, change: dict) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        CounsellingNote.objects.filter(pk=signed.pk).update(**change)
    signed.refresh_from_db()
    assert signed.text == SECRET
    assert signed.is_signed


def test_database_refuses_raw_sql_on_a_signed_note(signed: CounsellingNote) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {triggers.NOTE} SET text = 'plain' WHERE id = %s", [signed.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {triggers.NOTE} WHERE id = %s", [signed.pk])  # noqa: S608


def test_database_refuses_deleting_a_signed_note(signed: CounsellingNote) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        CounsellingNote.objects.filter(pk=signed.pk).delete()
    assert CounsellingNote.objects.filter(pk=signed.pk).exists()


def test_a_draft_may_change_and_be_deleted(draft: CounsellingNote) -> None:
    CounsellingNote.objects.filter(pk=draft.pk).update(text="Changed.")
    assert CounsellingNote.objects.get(pk=draft.pk).text == "Changed."
    CounsellingNote.objects.filter(pk=draft.pk).delete()
    assert not CounsellingNote.objects.exists()


def test_addenda_are_kept_as_written(signed: CounsellingNote, alice: User) -> None:
    addendum = do_add_addendum(signed, {"text": "More.", "reason": "Left out."}, acting_user=alice)
    with pytest.raises(DatabaseError), transaction.atomic():
        CounsellingNoteAddendum.objects.filter(pk=addendum.pk).update(text="Other.")
    with pytest.raises(DatabaseError), transaction.atomic():
        CounsellingNoteAddendum.objects.filter(pk=addendum.pk).delete()
    assert CounsellingNoteAddendum.objects.get(pk=addendum.pk).text == "More."


def test_database_refuses_an_addendum_to_a_draft(draft: CounsellingNote, alice: User) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        CounsellingNoteAddendum.objects.create(note=draft, text="More.", author=alice)


def test_text_is_stored_encrypted(signed: CounsellingNote, alice: User) -> None:
    do_add_addendum(signed, {"text": "Her mother's words stayed.", "reason": "A detail."}, acting_user=alice)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {triggers.NOTE} WHERE id = %s", [signed.pk])  # noqa: S608
        (stored,) = cursor.fetchone()
        cursor.execute(f"SELECT text, reason FROM {triggers.ADDENDUM}")  # noqa: S608
        addendum_text, reason = cursor.fetchone()
    assert stored.startswith("enc1:")
    assert SECRET not in stored
    assert "brother" not in stored
    assert addendum_text.startswith("enc1:") and "mother" not in addendum_text
    assert reason.startswith("enc1:") and "detail" not in reason
    assert CounsellingNote.objects.get(pk=signed.pk).text == SECRET

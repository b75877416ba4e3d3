"""Database triggers that keep a signed group note as it was signed, on PostgreSQL and on SQLite (the same rules as
iptcare/therapy/triggers.py for an individual session's note).

- A group note's content, and who signed it when, never change once `signed_at` is set. Group notes are never
  deleted.
- A member note is part of its group note: it is not added, changed or removed once the group note is signed.

The migrations call `protect`; browser tests, which empty the database between tests, call `unprotect` for that
flush only (as tests/browser/conftest.py does for the therapy and append-only tables).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from iptcare.lib.trigger_sets import for_vendor, install, pg_function, pg_refuse, pg_trigger, remove

NOTE = "ipt_groups_groupnote"
MEMBER_NOTE = "ipt_groups_membernote"
TABLES = (NOTE, MEMBER_NOTE)

# Every column of a group note that the signature covers: all of them. tests/groups/test_lock.py checks that each
# column of the model is listed, so a new column cannot slip past the lock.
NOTE_SIGNED_COLUMNS = (
    "id",
    "session_id",
    "author_id",
    "worked_on",
    "themes",
    "techniques",
    "flagged_for_supervision",
    "observations",
    "created_at",
    "updated_at",
    "signature",
    "signed_by_id",
    "signed_at",
)

_NOTE_MESSAGE = "a signed group note is kept as signed"
_MEMBER_NOTE_MESSAGE = "the member notes of a signed group note are kept as signed"


def _note_condition(operator: str) -> str:
    changed = " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in NOTE_SIGNED_COLUMNS)
    return f"OLD.signed_at IS NOT NULL AND ({changed})"


def _signed(note_id: str) -> str:
    # Built from this module's constants only, never from input.
    return f"(SELECT signed_at FROM {NOTE} WHERE id = {note_id}) IS NOT NULL"  # noqa: S608


def _sqlite_statements() -> list[str]:
    def refuse(name: str, when: str, table: str, condition: str, message: str) -> str:
        where = f" WHEN {condition}" if condition else ""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {when} ON {table}{where} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
        )

    return [
        refuse(f"{NOTE}_guard", "UPDATE", NOTE, _note_condition("IS NOT"), _NOTE_MESSAGE),
        refuse(f"{NOTE}_no_delete", "DELETE", NOTE, "", _NOTE_MESSAGE),
        refuse(f"{MEMBER_NOTE}_guard_insert", "INSERT", MEMBER_NOTE, _signed("NEW.note_id"), _MEMBER_NOTE_MESSAGE),
        refuse(
            f"{MEMBER_NOTE}_guard_update",
            "UPDATE",
            MEMBER_NOTE,
            f"{_signed('OLD.note_id')} OR {_signed('NEW.note_id')}",
            _MEMBER_NOTE_MESSAGE,
        ),
        refuse(f"{MEMBER_NOTE}_guard_delete", "DELETE", MEMBER_NOTE, _signed("OLD.note_id"), _MEMBER_NOTE_MESSAGE),
    ]


def _postgresql_statements() -> list[str]:
    note_guard = (
        f"IF TG_OP = 'DELETE' THEN {pg_refuse(_NOTE_MESSAGE)} END IF; "
        f"IF {_note_condition('IS DISTINCT FROM')} THEN {pg_refuse(_NOTE_MESSAGE)} END IF; RETURN NEW;"
    )
    member_note_guard = (
        f"IF TG_OP IN ('UPDATE', 'DELETE') AND {_signed('OLD.note_id')} THEN {pg_refuse(_MEMBER_NOTE_MESSAGE)} "
        "END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') AND {_signed('NEW.note_id')} THEN {pg_refuse(_MEMBER_NOTE_MESSAGE)} "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
    )
    # A statement-level trigger has no OLD row to look at: TRUNCATE gets its own function.
    keep_rows = f"{pg_refuse(_NOTE_MESSAGE + ' (TRUNCATE refused)')}"
    statements = [
        pg_function(f"{NOTE}_guard", note_guard),
        pg_function(f"{MEMBER_NOTE}_guard", member_note_guard),
        pg_function(f"{NOTE}_keep_rows", keep_rows),
    ]
    statements += pg_trigger(f"{NOTE}_guard", "UPDATE OR DELETE", NOTE, f"{NOTE}_guard")
    statements += pg_trigger(f"{NOTE}_no_truncate", "TRUNCATE", NOTE, f"{NOTE}_keep_rows", each="STATEMENT")
    statements += pg_trigger(f"{MEMBER_NOTE}_guard", "INSERT OR UPDATE OR DELETE", MEMBER_NOTE, f"{MEMBER_NOTE}_guard")
    return statements


def _trigger_names(vendor: str) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger `protect` creates."""
    if vendor == "postgresql":
        return [(f"{NOTE}_guard", NOTE), (f"{NOTE}_no_truncate", NOTE), (f"{MEMBER_NOTE}_guard", MEMBER_NOTE)]
    return [
        (f"{NOTE}_guard", NOTE),
        (f"{NOTE}_no_delete", NOTE),
        (f"{MEMBER_NOTE}_guard_insert", MEMBER_NOTE),
        (f"{MEMBER_NOTE}_guard_update", MEMBER_NOTE),
        (f"{MEMBER_NOTE}_guard_delete", MEMBER_NOTE),
    ]


def statements_for(vendor: str) -> list[str]:
    return for_vendor(vendor, postgresql=_postgresql_statements, sqlite=_sqlite_statements)


def protect(connection: BaseDatabaseWrapper) -> None:
    install(connection, statements_for(connection.vendor))


def unprotect(connection: BaseDatabaseWrapper) -> None:
    remove(connection, _trigger_names(connection.vendor))

"""Database triggers that keep a signed counselling note as it was signed, on PostgreSQL and on SQLite (the same
pattern as iptcare/therapy/triggers.py and iptcare/groups/triggers.py).

- Once `signed_at` is set, no column of the note changes and the note is never deleted. A draft may still be
  changed or discarded by its author.
- Addenda are kept as written (no UPDATE, no DELETE) and are only added to a signed note.

The migrations call `protect`; browser tests, which empty the database between tests, call `unprotect` for that
flush only (tests/browser/conftest.py).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from iptcare.lib.trigger_sets import for_vendor, install, pg_function, pg_refuse, pg_trigger, remove

NOTE = "counselling_counsellingnote"
ADDENDUM = "counselling_counsellingnoteaddendum"
TABLES = (NOTE, ADDENDUM)

# Every column of a note: the signature covers all of them. tests/counselling/test_lock.py checks that each column of
# the model is listed, so a new column cannot slip past the lock.
NOTE_SIGNED_COLUMNS = (
    "id",
    "client_id",
    "author_id",
    "session_id",
    "held_on",
    "text",
    "created_at",
    "updated_at",
    "signature",
    "signed_at",
)

_NOTE_MESSAGE = "a signed counselling note is kept as signed: write an addendum"
_ADDENDUM_MESSAGE = "counselling note addenda are kept as written"
_UNSIGNED_MESSAGE = "an addendum is added to a signed counselling note only"


def _note_condition(operator: str) -> str:
    changed = " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in NOTE_SIGNED_COLUMNS)
    return f"OLD.signed_at IS NOT NULL AND ({changed})"


def _unsigned(note_id: str) -> str:
    # Built from this module's constants only, never from input.
    return f"(SELECT signed_at FROM {NOTE} WHERE id = {note_id}) IS NULL"  # noqa: S608


def _sqlite_statements() -> list[str]:
    def refuse(name: str, when: str, table: str, condition: str, message: str) -> str:
        where = f" WHEN {condition}" if condition else ""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {when} ON {table}{where} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
        )

    return [
        refuse(f"{NOTE}_guard", "UPDATE", NOTE, _note_condition("IS NOT"), _NOTE_MESSAGE),
        refuse(f"{NOTE}_no_delete", "DELETE", NOTE, "OLD.signed_at IS NOT NULL", _NOTE_MESSAGE),
        refuse(f"{ADDENDUM}_signed_only", "INSERT", ADDENDUM, _unsigned("NEW.note_id"), _UNSIGNED_MESSAGE),
        refuse(f"{ADDENDUM}_no_update", "UPDATE", ADDENDUM, "", _ADDENDUM_MESSAGE),
        refuse(f"{ADDENDUM}_no_delete", "DELETE", ADDENDUM, "", _ADDENDUM_MESSAGE),
    ]


def _postgresql_statements() -> list[str]:
    note_guard = (
        f"IF TG_OP = 'DELETE' THEN IF OLD.signed_at IS NOT NULL THEN {pg_refuse(_NOTE_MESSAGE)} END IF; "
        "RETURN OLD; END IF; "
        f"IF {_note_condition('IS DISTINCT FROM')} THEN {pg_refuse(_NOTE_MESSAGE)} END IF; RETURN NEW;"
    )
    addendum_guard = (
        f"IF TG_OP = 'INSERT' THEN IF {_unsigned('NEW.note_id')} THEN {pg_refuse(_UNSIGNED_MESSAGE)} END IF; "
        "RETURN NEW; END IF; "
        f"{pg_refuse(_ADDENDUM_MESSAGE)}"
    )
    # A statement-level trigger has no row to look at: TRUNCATE gets its own function, for both tables.
    keep_rows = (
        "RAISE EXCEPTION 'rows of % are kept as written (% refused)', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'insufficient_privilege';"
    )
    statements = [
        pg_function(f"{NOTE}_guard", note_guard),
        pg_function(f"{ADDENDUM}_guard", addendum_guard),
        pg_function("counselling_keep_rows", keep_rows),
    ]
    statements += pg_trigger(f"{NOTE}_guard", "UPDATE OR DELETE", NOTE, f"{NOTE}_guard")
    statements += pg_trigger(f"{ADDENDUM}_guard", "INSERT OR UPDATE OR DELETE", ADDENDUM, f"{ADDENDUM}_guard")
    for table in TABLES:
        statements += pg_trigger(f"{table}_no_truncate", "TRUNCATE", table, "counselling_keep_rows", each="STATEMENT")
    return statements


def _trigger_names(vendor: str) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger `protect` creates."""
    if vendor == "postgresql":
        return [
            (f"{NOTE}_guard", NOTE),
            (f"{ADDENDUM}_guard", ADDENDUM),
            (f"{NOTE}_no_truncate", NOTE),
            (f"{ADDENDUM}_no_truncate", ADDENDUM),
        ]
    return [
        (f"{NOTE}_guard", NOTE),
        (f"{NOTE}_no_delete", NOTE),
        (f"{ADDENDUM}_signed_only", ADDENDUM),
        (f"{ADDENDUM}_no_update", ADDENDUM),
        (f"{ADDENDUM}_no_delete", ADDENDUM),
    ]


def statements_for(vendor: str) -> list[str]:
    return for_vendor(vendor, postgresql=_postgresql_statements, sqlite=_sqlite_statements)


def protect(connection: BaseDatabaseWrapper) -> None:
    install(connection, statements_for(connection.vendor))


def unprotect(connection: BaseDatabaseWrapper) -> None:
    remove(connection, _trigger_names(connection.vendor))

"""Database triggers that keep a signed note as it was signed, on PostgreSQL and on SQLite (in the manner of
iptcare/lib/append_only.py, whose `guard` allows no condition like "once signed").

- A note's content, and who signed it when, never change once `signed_at` is set; its co-signature is added once
  and then never changes either. Notes are never deleted.
- An interpersonal incident is part of its note: it is not added, changed or removed once the note is signed.
- Amendments are kept as written: no UPDATE, no DELETE.

The migrations call `protect`; browser tests, which empty the database between tests, call `unprotect` for that
flush only (tests/browser/conftest.py does the same for append_only's tables).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from iptcare.lib.trigger_sets import for_vendor, install, pg_function, pg_refuse, pg_trigger, remove

NOTE = "therapy_sessionnote"
INCIDENT = "therapy_interpersonalincident"
AMENDMENT = "therapy_noteamendment"
TABLES = (NOTE, INCIDENT, AMENDMENT)

# Every column of a note that a signature covers. tests/therapy/test_lock.py checks that each column of the model
# is either here or in NOTE_COLUMNS_AFTER_SIGNING, so a new column cannot slip past the lock.
NOTE_SIGNED_COLUMNS = (
    "id",
    "session_id",
    "author_id",
    "interval_history",
    "mood",
    "use_days",
    "use_summary",
    "prefill_source",
    "problem_area_id",
    "dispute_stage",
    "techniques",
    "flagged_for_supervision",
    "homework_reviewed",
    "homework_set",
    "risk_review",
    "risk_notes",
    "next_session_plan",
    "created_at",
    "updated_at",
    "signature",
    "signed_by_id",
    "signed_at",
    "cosign_required",
)
# Given once, after signing; then fixed as well.
NOTE_COSIGN_COLUMNS = ("cosignature", "cosigned_by_id", "cosigned_at")
NOTE_COLUMNS_AFTER_SIGNING = NOTE_COSIGN_COLUMNS

_NOTE_MESSAGE = "a signed session note is kept as signed: write an amendment"
_INCIDENT_MESSAGE = "the incidents of a signed session note are kept as signed"
_AMENDMENT_MESSAGE = "note amendments are kept as written"


def _changed(columns: tuple[str, ...], operator: str) -> str:
    return " OR ".join(f"NEW.{column} {operator} OLD.{column}" for column in columns)


def _note_condition(operator: str) -> str:
    return (
        f"(OLD.signed_at IS NOT NULL AND ({_changed(NOTE_SIGNED_COLUMNS, operator)})) "
        f"OR (OLD.cosigned_at IS NOT NULL AND ({_changed(NOTE_COSIGN_COLUMNS, operator)}))"
    )


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
        refuse(f"{INCIDENT}_guard_insert", "INSERT", INCIDENT, _signed("NEW.note_id"), _INCIDENT_MESSAGE),
        refuse(
            f"{INCIDENT}_guard_update",
            "UPDATE",
            INCIDENT,
            f"{_signed('OLD.note_id')} OR {_signed('NEW.note_id')}",
            _INCIDENT_MESSAGE,
        ),
        refuse(f"{INCIDENT}_guard_delete", "DELETE", INCIDENT, _signed("OLD.note_id"), _INCIDENT_MESSAGE),
        refuse(f"{AMENDMENT}_no_update", "UPDATE", AMENDMENT, "", _AMENDMENT_MESSAGE),
        refuse(f"{AMENDMENT}_no_delete", "DELETE", AMENDMENT, "", _AMENDMENT_MESSAGE),
    ]


def _postgresql_statements() -> list[str]:
    note_guard = (
        f"IF TG_OP = 'DELETE' THEN {pg_refuse(_NOTE_MESSAGE)} END IF; "
        f"IF {_note_condition('IS DISTINCT FROM')} THEN {pg_refuse(_NOTE_MESSAGE)} END IF; RETURN NEW;"
    )
    incident_guard = (
        f"IF TG_OP IN ('UPDATE', 'DELETE') AND {_signed('OLD.note_id')} THEN {pg_refuse(_INCIDENT_MESSAGE)} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') AND {_signed('NEW.note_id')} THEN {pg_refuse(_INCIDENT_MESSAGE)} END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW;"
    )
    # RAISE's % placeholders take the table and the operation, so one function serves every table.
    keep_rows = (
        "RAISE EXCEPTION 'rows of % are kept as written (% refused)', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'insufficient_privilege';"
    )
    statements = [
        pg_function(f"{NOTE}_guard", note_guard),
        pg_function(f"{INCIDENT}_guard", incident_guard),
        pg_function("therapy_keep_rows", keep_rows),
    ]
    statements += pg_trigger(f"{NOTE}_guard", "UPDATE OR DELETE", NOTE, f"{NOTE}_guard")
    statements += pg_trigger(f"{INCIDENT}_guard", "INSERT OR UPDATE OR DELETE", INCIDENT, f"{INCIDENT}_guard")
    statements += pg_trigger(f"{AMENDMENT}_no_change", "UPDATE OR DELETE", AMENDMENT, "therapy_keep_rows")
    for table in (NOTE, AMENDMENT):
        statements += pg_trigger(f"{table}_no_truncate", "TRUNCATE", table, "therapy_keep_rows", each="STATEMENT")
    return statements


def _trigger_names(vendor: str) -> list[tuple[str, str]]:
    """(trigger, table) of every trigger `protect` creates."""
    if vendor == "postgresql":
        return [
            (f"{NOTE}_guard", NOTE),
            (f"{INCIDENT}_guard", INCIDENT),
            (f"{AMENDMENT}_no_change", AMENDMENT),
            (f"{NOTE}_no_truncate", NOTE),
            (f"{AMENDMENT}_no_truncate", AMENDMENT),
        ]
    return [
        (f"{NOTE}_guard", NOTE),
        (f"{NOTE}_no_delete", NOTE),
        (f"{INCIDENT}_guard_insert", INCIDENT),
        (f"{INCIDENT}_guard_update", INCIDENT),
        (f"{INCIDENT}_guard_delete", INCIDENT),
        (f"{AMENDMENT}_no_update", AMENDMENT),
        (f"{AMENDMENT}_no_delete", AMENDMENT),
    ]


def statements_for(vendor: str) -> list[str]:
    return for_vendor(vendor, postgresql=_postgresql_statements, sqlite=_sqlite_statements)


def protect(connection: BaseDatabaseWrapper) -> None:
    install(connection, statements_for(connection.vendor))


def unprotect(connection: BaseDatabaseWrapper) -> None:
    remove(connection, _trigger_names(connection.vendor))

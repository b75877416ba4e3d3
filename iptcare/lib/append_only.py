"""Database triggers that keep records as they were written, on PostgreSQL and on SQLite.

Some tables are append-only (no UPDATE, no DELETE): the audit trail, stored questionnaire answers. Others may be
updated but never deleted (alerts keep their history). Migrations call `protect`; browser tests, which must empty
the database between tests, lift the triggers for that flush only (tests/browser/conftest.py).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# table -> whether UPDATE stays allowed (DELETE never is).
PROTECTED_TABLES: dict[str, bool] = {
    "audit_auditevent": False,
    "measures_administration": False,
    "measures_alert": True,
}

# Tables whose rows may be updated only within limits: the columns listed never change, and a row whose
# `closed_when` condition holds never changes again (a closed alert keeps its disposition as written).
GUARDED_UPDATES: dict[str, dict[str, object]] = {
    "measures_alert": {
        "fixed": ("organization_id", "client_id", "rule", "administration_id", "needs_cssrs", "raised_at"),
        "closed_when": "OLD.status = 'closed'",
    },
}

_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION iptcare_keep_rows() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'rows of % are kept as written (% refused)', TG_TABLE_NAME, TG_OP "
    "USING ERRCODE = 'insufficient_privilege'; END; $$;"
)


def _statements(vendor: str, table: str, *, allow_update: bool) -> list[str]:
    refused = ["DELETE"] if allow_update else ["UPDATE", "DELETE"]
    if vendor == "postgresql":
        statements = [_PG_FUNCTION]
        for operation in refused:
            name = f"{table}_no_{operation.lower()}"
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table};",
                f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION iptcare_keep_rows();",
            ]
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION iptcare_keep_rows();",
        ]
        return statements
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'rows of {table} are kept as written ({op} refused)'); END;"
            for op in refused
        ]
    raise RuntimeError(f"iptcare runs on PostgreSQL or SQLite, not {vendor}.")


def _guard_statements(vendor: str, table: str) -> list[str]:
    guard = GUARDED_UPDATES.get(table)
    if guard is None:
        return []
    changed = " OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in guard["fixed"])  # type: ignore[union-attr]
    condition = f"{guard['closed_when']} OR {changed}"
    message = f"rows of {table}: closed rows and their origin are kept as written"
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege'; END IF; "
            "RETURN NEW; END; $$;",
            f"DROP TRIGGER IF EXISTS {table}_guard ON {table};",
            f"CREATE TRIGGER {table}_guard BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_guard();",
        ]
    sqlite_condition = condition.replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_guard BEFORE UPDATE ON {table} WHEN {sqlite_condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    ]


def protect(connection: BaseDatabaseWrapper, table: str) -> None:
    statements = _statements(connection.vendor, table, allow_update=PROTECTED_TABLES[table])
    statements += _guard_statements(connection.vendor, table)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def unprotect(connection: BaseDatabaseWrapper, table: str) -> None:
    suffixes = ("update", "delete", "truncate")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_guard;")
    with connection.cursor() as cursor:
        for suffix in suffixes:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{suffix} ON {table};")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{suffix};")


def existing_tables(connection: BaseDatabaseWrapper) -> list[str]:
    present = set(connection.introspection.table_names())
    return [table for table in PROTECTED_TABLES if table in present]

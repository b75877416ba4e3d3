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


def protect(connection: BaseDatabaseWrapper, table: str) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, table, allow_update=PROTECTED_TABLES[table]):
            cursor.execute(statement)


def unprotect(connection: BaseDatabaseWrapper, table: str) -> None:
    suffixes = ("update", "delete", "truncate")
    with connection.cursor() as cursor:
        for suffix in suffixes:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{suffix} ON {table};")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{suffix};")


def existing_tables(connection: BaseDatabaseWrapper) -> list[str]:
    present = set(connection.introspection.table_names())
    return [table for table in PROTECTED_TABLES if table in present]

"""What every module of guard triggers shares (therapy, groups, consent and counselling `triggers.py`): the
PostgreSQL building blocks, choosing the statements for the database in use, and installing or removing a set.

Each module keeps its own conditions ("once signed", "superseded once"), which `lib/append_only.py`'s fixed guard
cannot express, and exposes `protect(connection)` / `unprotect(connection)` for its migrations and for the browser
tests, which empty the database between tests.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.backends.base.base import BaseDatabaseWrapper


def pg_function(name: str, body: str) -> str:
    return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END; $$;"


def pg_refuse(message: str) -> str:
    return f"RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';"


def pg_trigger(name: str, when: str, table: str, function: str, *, each: str = "ROW") -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table};",
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH {each} EXECUTE FUNCTION {function}();",
    ]


def for_vendor(vendor: str, *, postgresql: Callable[[], list[str]], sqlite: Callable[[], list[str]]) -> list[str]:
    if vendor == "postgresql":
        return postgresql()
    if vendor == "sqlite":
        return sqlite()
    raise RuntimeError(f"iptcare runs on PostgreSQL or SQLite, not {vendor}.")


def install(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper, triggers: list[tuple[str, str]]) -> None:
    """Drop each (trigger, table); PostgreSQL names a trigger within its table, SQLite within the schema."""
    with connection.cursor() as cursor:
        for trigger, table in triggers:
            on_table = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}{on_table};")

"""A final plan version is kept as written: the database refuses any UPDATE of a row whose status is "final".

The actions refuse first (PlanIsFinal); this catches any other path (a script, the shell, a future bug). Deleting is
left to PROTECT on the episode, so the test suite can still empty its tables.
"""

from django.db import migrations

TABLES = ("plans_relapsepreventionplan", "plans_safetyplan")
MESSAGE = "a final plan version is kept as written (UPDATE refused)"

PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION plans_final_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF OLD.status = 'final' THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END IF; "
    "RETURN NEW; END; $$;"
)


def statements(vendor: str, table: str) -> list[str]:
    name = f"{table}_final_frozen"
    if vendor == "postgresql":
        return [
            PG_FUNCTION,
            f"DROP TRIGGER IF EXISTS {name} ON {table};",
            f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION plans_final_version_frozen();",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE UPDATE ON {table} WHEN OLD.status = 'final' "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        ]
    raise RuntimeError(f"iptcare runs on PostgreSQL or SQLite, not {vendor}.")


def freeze(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            for statement in statements(schema_editor.connection.vendor, table):
                cursor.execute(statement)


def unfreeze(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            suffix = f" ON {table}" if vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_final_frozen{suffix};")


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_plans_and_closure")]

    operations = [migrations.RunPython(freeze, unfreeze)]

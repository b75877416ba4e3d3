"""Helpers for the migrations that start encrypting a field: encrypt the rows already there (and decrypt them
when the migration is reversed), with the tables' lock triggers lifted for the length of the migration.

The lock triggers keep signed notes as signed; encrypting a column rewrites its stored form without changing
what it says, which the triggers cannot tell apart from an edit. The migration runs as the schema owner, inside
one transaction: the triggers are back before anyone else sees the table again. On SQLite, altering a column
rebuilds the table, which drops its triggers anyway; `restore` re-creates them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.db import migrations

from iptcare.encryption.fields import decrypt_text, encrypt_text, is_encrypted

Operation = Callable[[Any, Any], None]


def lift_triggers(triggers: ModuleType) -> migrations.RunPython:
    """First operation: drop the tables' lock triggers (reversed: put them back)."""

    def lift(apps: Any, schema_editor: Any) -> None:
        triggers.unprotect(schema_editor.connection)

    def restore(apps: Any, schema_editor: Any) -> None:
        triggers.protect(schema_editor.connection)

    return migrations.RunPython(lift, restore, elidable=False)


def restore_triggers(triggers: ModuleType) -> migrations.RunPython:
    """Last operation: put the lock triggers back (reversed: drop them for the operations before)."""
    reverse = lift_triggers(triggers)
    return migrations.RunPython(reverse.reverse_code, reverse.code, elidable=False)


def encrypt_rows(app_label: str, fields_by_model: dict[str, list[str]]) -> migrations.RunPython:
    """Encrypt the values already stored in these fields; reversed, decrypt them."""

    def rewrite(apps: Any, schema_editor: Any, transform: Callable[[str], str]) -> None:
        for model_name, fields in fields_by_model.items():
            model = apps.get_model(app_label, model_name)
            rows = model.objects.using(schema_editor.connection.alias).values_list("pk", *fields)
            for pk, *values in rows.iterator():
                changed = {f: transform(v) for f, v in zip(fields, values, strict=True) if v}
                if changed:
                    _write_raw(schema_editor, model, pk, changed)

    def forwards(apps: Any, schema_editor: Any) -> None:
        rewrite(apps, schema_editor, lambda value: value if is_encrypted(value) else encrypt_text(value))

    def backwards(apps: Any, schema_editor: Any) -> None:
        rewrite(apps, schema_editor, lambda value: str(decrypt_text(value)) if is_encrypted(value) else value)

    return migrations.RunPython(forwards, backwards, elidable=False)


def _write_raw(schema_editor: Any, model: Any, pk: Any, values: dict[str, str]) -> None:
    """Write stored forms as they are (no field conversion), so neither direction encrypts twice."""
    quote = schema_editor.quote_name
    columns = {f: model._meta.get_field(f).column for f in values}
    assignments = ", ".join(f"{quote(columns[f])} = %s" for f in values)
    # Names come from the model and are quoted; the values are parameters.
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    schema_editor.execute(sql, [*values.values(), pk])

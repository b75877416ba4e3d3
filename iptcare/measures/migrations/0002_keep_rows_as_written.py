"""Answers stay as given (no UPDATE or DELETE); alerts keep their history (no DELETE)."""

from django.db import migrations

from iptcare.lib import append_only

TABLES = ("measures_administration", "measures_alert")


def protect(apps, schema_editor):
    for table in TABLES:
        append_only.protect(schema_editor.connection, table)


def unprotect(apps, schema_editor):
    for table in TABLES:
        append_only.unprotect(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect)]

"""A closed alert never changes, and what raised an alert (rule, client, C-SSRS requirement, time) never changes."""

from django.db import migrations

from iptcare.lib import append_only


def protect(apps, schema_editor):
    append_only.protect(schema_editor.connection, "measures_alert")


def unprotect(apps, schema_editor):
    append_only.unprotect(schema_editor.connection, "measures_alert")
    # The plain no-delete protection of migration 0002 stays.
    append_only.protect(schema_editor.connection, "measures_alert")


class Migration(migrations.Migration):
    dependencies = [("measures", "0006_chosen_baseline")]

    operations = [migrations.RunPython(protect, unprotect)]

"""A signed note keeps its content and signatures, its incidents stay as signed, and amendments are kept as
written (see iptcare/therapy/triggers.py)."""

from django.db import migrations

from iptcare.therapy import triggers


def protect(apps, schema_editor):
    triggers.protect(schema_editor.connection)


def unprotect(apps, schema_editor):
    triggers.unprotect(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("therapy", "0001_sessions_and_notes")]

    operations = [migrations.RunPython(protect, unprotect)]

"""A signed counselling note is kept as signed and never deleted; addenda are kept as written and only added to
a signed note (see iptcare/counselling/triggers.py)."""

from django.db import migrations

from iptcare.counselling import triggers


def protect(apps, schema_editor):
    triggers.protect(schema_editor.connection)


def unprotect(apps, schema_editor):
    triggers.unprotect(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("counselling", "0001_counselling_notes")]

    operations = [migrations.RunPython(protect, unprotect)]

"""A signed group note keeps its content and signature, and its member notes stay as signed (see
iptcare/groups/triggers.py)."""

from django.db import migrations

from iptcare.groups import triggers


def protect(apps, schema_editor):
    triggers.protect(schema_editor.connection)


def unprotect(apps, schema_editor):
    triggers.unprotect(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ipt_groups", "0001_groups")]

    operations = [migrations.RunPython(protect, unprotect)]

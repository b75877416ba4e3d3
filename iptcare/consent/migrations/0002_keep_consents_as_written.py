"""Keep consents, revocations and disclosures as written, in the database itself (iptcare/consent/triggers.py)."""

from django.db import migrations

from iptcare.consent import triggers


def protect(apps, schema_editor):
    triggers.protect(schema_editor.connection)


def unprotect(apps, schema_editor):
    triggers.unprotect(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(protect, unprotect)]

"""Contact details encrypted at rest (docs/encryption.md): the columns change type, and the values already there are encrypted."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_identifier_and_person_name_unique_ignoring_case"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="client",
            name="address",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="address"),
        ),
        migrations.AlterField(
            model_name="client",
            name="email",
            field=iptcare.encryption.fields.EncryptedEmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AlterField(
            model_name="client",
            name="phone",
            field=iptcare.encryption.fields.EncryptedCharField(blank=True, max_length=40, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="person",
            name="email",
            field=iptcare.encryption.fields.EncryptedEmailField(blank=True, max_length=254, verbose_name="e-mail"),
        ),
        migrations.AlterField(
            model_name="person",
            name="notes",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=iptcare.encryption.fields.EncryptedCharField(blank=True, max_length=40, verbose_name="phone"),
        ),
        encrypt_rows("clients", {"client": ["email", "phone", "address"], "person": ["phone", "email", "notes"]}),
    ]

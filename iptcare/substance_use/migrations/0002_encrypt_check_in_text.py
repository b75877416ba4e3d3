"""The interpersonal event of a daily check-in encrypted at rest (docs/encryption.md), rows already there included."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows


class Migration(migrations.Migration):
    dependencies = [
        ("substance_use", "0001_initial"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checkin",
            name="interpersonal_event",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="interpersonal event"),
        ),
        encrypt_rows("substance_use", {"checkin": ["interpersonal_event"]}),
    ]

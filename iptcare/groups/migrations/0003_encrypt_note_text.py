"""The free text of group and member notes encrypted at rest (docs/encryption.md), rows already there included."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows, lift_triggers, restore_triggers
from iptcare.groups import triggers


class Migration(migrations.Migration):
    dependencies = [
        ("ipt_groups", "0002_keep_signed_group_notes"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        lift_triggers(triggers),
        migrations.AlterField(
            model_name="groupnote",
            name="observations",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="facilitator's observations"),
        ),
        migrations.AlterField(
            model_name="groupnote",
            name="themes",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="themes"),
        ),
        migrations.AlterField(
            model_name="groupnote",
            name="worked_on",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what the group worked on"),
        ),
        migrations.AlterField(
            model_name="membernote",
            name="risk_notes",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="risk: what was noticed and done"
            ),
        ),
        migrations.AlterField(
            model_name="membernote",
            name="worked_on",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what they worked on"),
        ),
        encrypt_rows(
            "ipt_groups",
            {"groupnote": ["worked_on", "themes", "observations"], "membernote": ["worked_on", "risk_notes"]},
        ),
        restore_triggers(triggers),
    ]

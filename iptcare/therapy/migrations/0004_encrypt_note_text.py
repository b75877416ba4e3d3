"""The free text of session notes, incidents and amendments encrypted at rest (docs/encryption.md), rows already there included."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows, lift_triggers, restore_triggers
from iptcare.therapy import triggers


class Migration(migrations.Migration):
    dependencies = [
        ("therapy", "0003_group_sessions_in_the_episode"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        lift_triggers(triggers),
        migrations.AlterField(
            model_name="interpersonalincident",
            name="communication_analysis",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True,
                help_text="What was said and meant on each side, what was hoped for, what could be said differently.",
                verbose_name="communication analysis",
            ),
        ),
        migrations.AlterField(
            model_name="interpersonalincident",
            name="what_happened",
            field=iptcare.encryption.fields.EncryptedTextField(verbose_name="what happened"),
        ),
        migrations.AlterField(
            model_name="noteamendment",
            name="reason",
            field=iptcare.encryption.fields.EncryptedTextField(verbose_name="reason"),
        ),
        migrations.AlterField(
            model_name="noteamendment",
            name="text",
            field=iptcare.encryption.fields.EncryptedTextField(verbose_name="amendment"),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="homework_reviewed",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="homework reviewed"),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="homework_set",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="homework set"),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="interval_history",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="since we last met"),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="next_session_plan",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="plan for the next session"),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="risk_notes",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="risk: what was found and done"
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="use_summary",
            field=iptcare.encryption.fields.EncryptedCharField(
                blank=True, max_length=300, verbose_name="use since the last session"
            ),
        ),
        encrypt_rows(
            "therapy",
            {
                "sessionnote": [
                    "interval_history",
                    "use_summary",
                    "homework_reviewed",
                    "homework_set",
                    "risk_notes",
                    "next_session_plan",
                ],
                "interpersonalincident": ["what_happened", "communication_analysis"],
                "noteamendment": ["text", "reason"],
            },
        ),
        restore_triggers(triggers),
    ]

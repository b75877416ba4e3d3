"""The clinical free text of the initial phase (assessment, substance history, inventory, timeline, triggers, formulation, problem areas, dispute stages) encrypted at rest (docs/encryption.md), rows already there included."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows


class Migration(migrations.Migration):
    dependencies = [
        ("ipt", "0003_termination_raised"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="children",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="children"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="housing",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="housing"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="legal",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="legal"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="medical_conditions",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="medical conditions"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="medications",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="medications"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="mental_health_history",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="mental health history"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="strengths",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="strengths"),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="work",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="work"),
        ),
        migrations.AlterField(
            model_name="disputestagechange",
            name="note",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="formulation",
            name="declined_reason",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="declined, because"),
        ),
        migrations.AlterField(
            model_name="formulation",
            name="text",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="formulation, in plain words"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="can_talk_about",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what can be talked about"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="cannot_talk_about",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what cannot be talked about"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="change_since_onset",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="change since the problems began"
            ),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="client_expects",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="what the client expects of them"
            ),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="conflict_pattern",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="conflict pattern"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="good_things",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what is good"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="not_so_good",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="what is not so good"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="part_in_triggers",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="part in triggers"),
        ),
        migrations.AlterField(
            model_name="inventoryentry",
            name="they_expect",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="what they expect of the client"
            ),
        ),
        migrations.AlterField(
            model_name="problemarea",
            name="rationale",
            field=iptcare.encryption.fields.EncryptedTextField(verbose_name="why this area"),
        ),
        migrations.AlterField(
            model_name="problemarea",
            name="why_not_other_areas",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="why none of the other areas applies"
            ),
        ),
        migrations.AlterField(
            model_name="substancehistory",
            name="pattern",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="pattern of use"),
        ),
        migrations.AlterField(
            model_name="substancehistory",
            name="prior_treatment",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="prior treatment"),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="note",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="trigger",
            name="coping_response",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="coping response"),
        ),
        encrypt_rows(
            "ipt",
            {
                "assessment": [
                    "children",
                    "housing",
                    "legal",
                    "medical_conditions",
                    "medications",
                    "mental_health_history",
                    "strengths",
                    "work",
                ],
                "disputestagechange": ["note"],
                "formulation": ["declined_reason", "text"],
                "inventoryentry": [
                    "can_talk_about",
                    "cannot_talk_about",
                    "change_since_onset",
                    "client_expects",
                    "conflict_pattern",
                    "good_things",
                    "not_so_good",
                    "part_in_triggers",
                    "they_expect",
                ],
                "problemarea": ["rationale", "why_not_other_areas"],
                "substancehistory": ["pattern", "prior_treatment"],
                "timelineevent": ["note"],
                "trigger": ["coping_response"],
            },
        ),
    ]

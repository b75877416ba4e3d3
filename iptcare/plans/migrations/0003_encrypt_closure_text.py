"""The free text of an episode's closure encrypted at rest (docs/encryption.md), rows already there included."""

from django.db import migrations

import iptcare.encryption.fields
from iptcare.encryption.migration import encrypt_rows


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_final_versions_frozen"),
        ("encryption", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="episodeclosure",
            name="aftercare",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="aftercare"),
        ),
        migrations.AlterField(
            model_name="episodeclosure",
            name="feelings_about_ending",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="the client's feelings about ending"
            ),
        ),
        migrations.AlterField(
            model_name="episodeclosure",
            name="no_plan_reason",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="why there is no final relapse-prevention plan"
            ),
        ),
        migrations.AlterField(
            model_name="episodeclosure",
            name="notes",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="notes"),
        ),
        migrations.AlterField(
            model_name="episodeclosure",
            name="referral_to",
            field=iptcare.encryption.fields.EncryptedTextField(blank=True, verbose_name="referred to"),
        ),
        migrations.AlterField(
            model_name="episodeclosure",
            name="what_helped",
            field=iptcare.encryption.fields.EncryptedTextField(
                blank=True, verbose_name="what helped, in the client's own words"
            ),
        ),
        encrypt_rows(
            "plans",
            {
                "episodeclosure": [
                    "aftercare",
                    "feelings_about_ending",
                    "no_plan_reason",
                    "notes",
                    "referral_to",
                    "what_helped",
                ]
            },
        ),
    ]

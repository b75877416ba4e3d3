from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "iptcare.consent"
    label = "consent"
    verbose_name = "Consent and disclosures (42 CFR Part 2)"

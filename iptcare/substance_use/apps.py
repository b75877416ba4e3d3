from django.apps import AppConfig


class SubstanceUseConfig(AppConfig):
    name = "iptcare.substance_use"
    label = "substance_use"
    verbose_name = "Substance use tracking"

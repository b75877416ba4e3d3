from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "iptcare.therapy"
    label = "therapy"
    verbose_name = "IPT sessions and notes"

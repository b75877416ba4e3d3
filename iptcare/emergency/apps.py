from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "iptcare.emergency"
    label = "emergency"
    verbose_name = "Emergency (break-the-glass) access"

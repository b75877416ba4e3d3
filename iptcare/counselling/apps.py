from django.apps import AppConfig


class CounsellingConfig(AppConfig):
    name = "iptcare.counselling"
    label = "counselling"
    verbose_name = "SUD counselling notes (42 CFR Part 2)"

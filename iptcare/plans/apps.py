from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "iptcare.plans"
    label = "plans"
    verbose_name = "Closure and relapse-prevention plans"

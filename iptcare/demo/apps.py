from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "iptcare.demo"
    label = "demo"
    verbose_name = "Demo clinic"

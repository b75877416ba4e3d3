from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "iptcare.audit"
    label = "audit"
    verbose_name = "Audit trail"

from django.apps import AppConfig


class EncryptionConfig(AppConfig):
    name = "iptcare.encryption"
    label = "encryption"
    verbose_name = "Encryption of sensitive fields at rest"

    def ready(self) -> None:
        from iptcare.encryption import checks  # noqa: F401  (registers the system check)

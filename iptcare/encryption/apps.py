from django.apps import AppConfig


class EncryptionConfig(AppConfig):
    name = "iptcare.encryption"
    label = "encryption"
    verbose_name = "Encryption of sensitive fields at rest"

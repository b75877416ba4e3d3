from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptcare.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from iptcare.accounts import signals  # noqa: F401  (connects the login audit receivers)
        from iptcare.lib import log_privacy

        # Tracebacks without exception messages and paths without tokens, in every log handler.
        log_privacy.install()

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iptcare.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from iptcare.accounts import signals  # noqa: F401  (connects the login audit receivers)

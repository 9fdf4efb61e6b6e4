from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fortresa.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from fortresa.accounts import checks  # noqa: F401 - registers the system checks
        from fortresa.accounts.session_tracking import connect_signals

        connect_signals()

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fortresa.accounts"
    label = "accounts"
    verbose_name = "Accounts"

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "fortresa.privacy"
    label = "privacy"
    verbose_name = "Privacy"

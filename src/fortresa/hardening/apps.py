from django.apps import AppConfig


class HardeningConfig(AppConfig):
    name = "fortresa.hardening"
    label = "hardening"
    verbose_name = "Hardening"

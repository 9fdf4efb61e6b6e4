from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fortresa.core"
    label = "core"
    verbose_name = "Fortresa core"

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "fortresa.backups"
    label = "backups"
    verbose_name = "Backups and restore drills"

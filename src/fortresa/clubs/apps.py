from django.apps import AppConfig


class ClubsConfig(AppConfig):
    name = "fortresa.clubs"
    label = "clubs"
    verbose_name = "Clubs"

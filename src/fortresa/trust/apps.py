from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "fortresa.trust"
    label = "trust"
    verbose_name = "Security page"

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fortresa.payments"
    label = "payments"
    verbose_name = "Payments"

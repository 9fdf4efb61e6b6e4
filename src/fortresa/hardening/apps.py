from django.apps import AppConfig


class HardeningConfig(AppConfig):
    name = "fortresa.hardening"
    label = "hardening"
    verbose_name = "Hardening"

    def ready(self) -> None:
        # Registers the fortresa.W0xx deployment checks.
        from fortresa.hardening import checks  # noqa: F401

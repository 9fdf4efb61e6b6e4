from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "fortresa.status"
    label = "status"
    verbose_name = "Status: health checks, status page, incidents"

    def ready(self) -> None:
        # Registers the built-in probes; none of them imports another app at import time.
        from fortresa.status import probes  # noqa: F401

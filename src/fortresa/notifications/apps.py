from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fortresa.notifications"
    label = "notifications"
    verbose_name = "Notifications: the mail pipeline"

    def ready(self) -> None:
        from fortresa.notifications import checks  # noqa: F401

from django.apps import AppConfig


class DbAccessConfig(AppConfig):
    name = "fortresa.dbaccess"
    label = "dbaccess"
    verbose_name = "Database access"

    def ready(self) -> None:
        from fortresa.dbaccess import checks  # noqa: F401 - registers the system checks

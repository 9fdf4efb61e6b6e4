from django.apps import AppConfig


class DbAccessConfig(AppConfig):
    name = "fortresa.dbaccess"
    label = "dbaccess"
    verbose_name = "Database access"

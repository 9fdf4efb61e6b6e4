from django.apps import AppConfig


class DbAccessConfig(AppConfig):
    name = "fortresa.dbaccess"
    label = "dbaccess"
    verbose_name = "Database access"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from fortresa.dbaccess import checks  # noqa: F401 - registers the system checks
        from fortresa.dbaccess.tenancy import (
            enter_worker_scope_for_task,
            leave_worker_scope_for_task,
        )

        # Background tasks span clubs: they run as the worker role when it is configured.
        task_prerun.connect(enter_worker_scope_for_task, weak=False)
        task_postrun.connect(leave_worker_scope_for_task, weak=False)

from django.apps import AppConfig


class DbAccessConfig(AppConfig):
    name = "fortresa.dbaccess"
    label = "dbaccess"
    verbose_name = "Database access"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun
        from django.contrib.auth.signals import user_logged_in

        from fortresa.dbaccess import checks  # noqa: F401 - registers the system checks
        from fortresa.dbaccess.tenancy import (
            enter_worker_scope_for_task,
            leave_worker_scope_for_task,
            scope_user_on_login,
        )

        # Signing in happens in a request scoped to nobody: what follows (the staff gate,
        # the redirect target) must see the member's own rows.
        user_logged_in.connect(scope_user_on_login, weak=False)
        # Background tasks span clubs: they run as the worker role when it is configured.
        task_prerun.connect(enter_worker_scope_for_task, weak=False)
        task_postrun.connect(leave_worker_scope_for_task, weak=False)

"""The daily database audit, run by the workers' scheduler (see ``schedule.py``)."""

from __future__ import annotations

from django.conf import settings

from fortresa.celery import app
from fortresa.dbaccess.connections import open_admin_connection
from fortresa.dbaccess.services import audit_database


@app.task
def audit_database_server() -> bool:
    """Audit the database server against the access policy; returns whether it passed.

    Idempotent: each run only adds one ``DatabaseAuditRun``.
    """
    access = settings.FORTRESA_DB_ACCESS
    with open_admin_connection(access) as conn:
        report, _run = audit_database(actor=None, conn=conn, access=access)
    return report.passed

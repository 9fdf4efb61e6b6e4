"""Reads for the status page and the operator console."""

from __future__ import annotations

from fortresa.dbaccess.models import DatabaseAuditRun


def latest_database_audit() -> DatabaseAuditRun | None:
    return DatabaseAuditRun.objects.order_by("-ran_at", "-pk").first()

"""State changes of the database access area: roles applied, audits recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from django.db import transaction
from django.utils import timezone

from fortresa.core.audit import record_event
from fortresa.dbaccess.config import DatabaseAccess
from fortresa.dbaccess.inspection import AuditReport, audit_server
from fortresa.dbaccess.models import DatabaseAuditRun
from fortresa.dbaccess.roles import RoleChange, apply_roles


def apply_database_roles(
    *,
    actor: Any,
    conn: psycopg.Connection[tuple[Any, ...]],
    access: DatabaseAccess,
    passwords: Mapping[str, str],
) -> list[RoleChange]:
    """Create or update the policy's roles and grants on the server behind ``conn``."""
    changes = apply_roles(conn, access, passwords=passwords)
    record_event(
        action="db.roles_applied",
        actor=actor,
        target=access.database,
        details={
            "created": [c.role for c in changes if c.created],
            "passwords_set": [c.role for c in changes if c.password_set],
            "tenant_rls": access.tenant_rls,
        },
    )
    return changes


def audit_database(
    *, actor: Any, conn: psycopg.Connection[tuple[Any, ...]], access: DatabaseAccess
) -> tuple[AuditReport, DatabaseAuditRun]:
    """Audit the server behind ``conn`` and record the run for the status page."""
    report = audit_server(conn, access)
    with transaction.atomic():
        run = DatabaseAuditRun.objects.create(
            ran_at=timezone.now(),
            server=report.server[:200],
            passed=report.passed,
            error_count=len(report.errors),
            warning_count=len(report.warnings),
            findings=[f.as_dict() for f in report.findings],
        )
        if not report.passed:
            record_event(
                action="db.audit_failed",
                actor=actor,
                target=run.server,
                details={"errors": sorted({f.code for f in report.errors})},
            )
    return report, run

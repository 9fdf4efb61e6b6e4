"""State changes of the supply-chain app: recording dependency audit runs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fortresa.core.audit import record_event
from fortresa.supplychain.models import AuditRun
from fortresa.supplychain.report import AuditReport


@transaction.atomic
def record_audit_run(*, report: AuditReport, actor: Any = None) -> AuditRun:
    """Store one audit's verdict and findings, and note it in the audit log.

    ``actor`` is the operator who ran it, or None for a scheduled run.
    """
    run = AuditRun.objects.create(
        result=report.result,
        mode=report.mode,
        database=report.database[:500],
        sources=report.sources,
        fail_on=report.fail_on.value if report.fail_on else "none",
        packages_checked=report.packages_checked,
        counts=report.counts,
        findings=[finding.as_json() for finding in report.findings],
        error=report.error,
    )
    record_event(
        action="deps.audit",
        actor=actor,
        target=f"audit-run:{run.pk}",
        details={"result": run.result, "mode": run.mode, "counts": run.counts},
    )
    return run

"""State changes of the supply-chain app: recording dependency audit runs."""

from __future__ import annotations

from typing import Any

from django.apps import apps
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
    if report.failing:
        _alert(run, report)
    return run


def _alert(run: AuditRun, report: AuditReport) -> None:
    """An audit finding at or above the bar is an alert for the security contacts."""
    if not apps.is_installed("fortresa.detection"):
        return
    from fortresa.detection.alerts import raise_alert

    worst = max(report.failing, key=lambda finding: finding.severity.rank).severity
    raise_alert(
        kind="dependency_vulnerability",
        # An advisory without a rating counts as high, as the audit itself does.
        severity="high" if worst.value == "unknown" else worst.value,
        source="supplychain",
        subject=f"{len(report.failing)} advisories",
        evidence={
            "audit_run": run.pk,
            "advisories": sorted({f.advisory_id for f in report.failing})[:20],
            "packages": sorted({f"{f.package} {f.version}" for f in report.failing})[:20],
        },
    )

"""An audit finding at or above the bar raises an alert; a clean audit raises none."""

from __future__ import annotations

import pytest

from fortresa.detection.models import Alert
from fortresa.supplychain.audit import Finding
from fortresa.supplychain.report import AuditReport
from fortresa.supplychain.services import record_audit_run
from fortresa.supplychain.severity import Severity

pytestmark = pytest.mark.django_db


def _finding(severity: Severity) -> Finding:
    return Finding(
        advisory_id="PYSEC-2024-70",
        aliases=("CVE-2024-42005",),
        package="django",
        version="4.2.0",
        affected=">=4.2,<4.2.15",
        fixed=("4.2.15",),
        severity=severity,
        score=None,
        summary="SQL injection in QuerySet.values()",
        source="environment",
    )


def _report(*findings: Finding, fail_on: Severity = Severity.LOW) -> AuditReport:
    return AuditReport(
        mode="offline",
        database="advisories",
        sources=["environment"],
        fail_on=fail_on,
        packages_checked=1,
        findings=list(findings),
    )


def test_a_failing_audit_raises_a_dependency_alert() -> None:
    record_audit_run(report=_report(_finding(Severity.CRITICAL)))

    alert = Alert.objects.get(kind="dependency_vulnerability")
    assert alert.severity == "critical"
    assert alert.evidence["advisories"] == ["PYSEC-2024-70"]
    assert alert.evidence["packages"] == ["django 4.2.0"]


def test_an_unrated_advisory_counts_as_high() -> None:
    record_audit_run(report=_report(_finding(Severity.UNKNOWN)))

    assert Alert.objects.get(kind="dependency_vulnerability").severity == "high"


def test_findings_below_the_bar_raise_no_alert() -> None:
    record_audit_run(report=_report(_finding(Severity.LOW), fail_on=Severity.HIGH))

    assert not Alert.objects.filter(kind="dependency_vulnerability").exists()


def test_a_clean_audit_raises_no_alert() -> None:
    record_audit_run(report=_report())

    assert not Alert.objects.filter(source="supplychain").exists()

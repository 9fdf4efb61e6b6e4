"""Sections read from other apps' records: database audit, detection, patching, uptime."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from fortresa.dbaccess.models import DatabaseAuditRun
from fortresa.detection.alerts import raise_alert
from fortresa.detection.models import Alert
from fortresa.status.models import DailyUptime
from fortresa.supplychain.models import AuditRun
from fortresa.trust.providers.base import Provider, Status
from fortresa.trust.providers.records import (
    AvailabilityProvider,
    DatabaseAccessProvider,
    DetectionProvider,
    PatchingProvider,
)

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _build(provider: type[Provider]) -> Any:
    return provider().build(now=timezone.now())


def _facts(section: Any) -> dict[str, Any]:
    return {fact.key: fact.value for fact in section.facts}


def _db_audit(*, passed: bool, age: dt.timedelta = dt.timedelta(hours=1)) -> None:
    DatabaseAuditRun.objects.create(
        ran_at=timezone.now() - age,
        server="db.internal.example:5432",
        passed=passed,
        error_count=0 if passed else 2,
        findings=[{"detail": "pg_hba line 7 trusts 10.0.0.0/8"}] if not passed else [],
    )


def test_no_database_audit_is_not_configured():
    assert _build(DatabaseAccessProvider).status == Status.NOT_CONFIGURED


def test_recent_passed_database_audit_is_met():
    _db_audit(passed=True)

    section = _build(DatabaseAccessProvider)

    assert section.status == Status.MET
    assert _facts(section)["audit_passed"] is True


def test_failed_database_audit_degrades_without_showing_findings():
    _db_audit(passed=True, age=DAY)
    _db_audit(passed=False)

    section = _build(DatabaseAccessProvider)

    assert section.status == Status.DEGRADED
    assert _facts(section)["audit_errors"] == 2
    assert "10.0.0.0" not in repr(section)
    assert "internal" not in repr(section)


def test_database_audit_older_than_eight_days_degrades():
    _db_audit(passed=True, age=9 * DAY)

    assert _build(DatabaseAccessProvider).status == Status.DEGRADED


def test_dependency_audit_failing_degrades():
    AuditRun.objects.create(result=AuditRun.Result.PASSED, mode="offline", fail_on="high",
                            ran_at=timezone.now() - DAY, packages_checked=120)  # fmt: skip
    assert _build(PatchingProvider).status == Status.MET

    AuditRun.objects.create(result=AuditRun.Result.FAILED, mode="offline", fail_on="high")

    assert _build(PatchingProvider).status == Status.DEGRADED


def test_no_alert_channel_degrades_detection(settings):
    settings.FORTRESA_SECURITY_EMAILS = []
    settings.FORTRESA_ALERT_WEBHOOK_URL = ""

    section = _build(DetectionProvider)

    assert section.status == Status.DEGRADED
    assert _facts(section)["channels"] == 0


def test_detection_with_a_channel_counts_alerts_by_severity_and_time_to_alert(
    settings, django_capture_on_commit_callbacks, no_foreign_alerts
):
    settings.FORTRESA_SECURITY_EMAILS = ["security@example.test"]
    with django_capture_on_commit_callbacks(execute=True):
        for kind, severity in (("xss", "high"), ("sql_injection", "critical"), ("xss", "low")):
            raise_alert(kind=kind, severity=severity, source="203.0.113.9",
                        subject=f"{severity}-probe",
                        evidence={"value": "<script>alert(1)</script>"})  # fmt: skip
    long_ago = timezone.now() - 40 * DAY
    Alert.objects.create(kind="xss", severity="high", source="x", dedup_key="old",
                         first_seen=long_ago, last_seen=long_ago)  # fmt: skip

    section = _build(DetectionProvider)

    facts = _facts(section)
    assert section.status == Status.MET, section.reasons
    assert (facts["alerts_critical"], facts["alerts_high"], facts["alerts_low"]) == (1, 1, 1)
    assert facts["alerts_medium"] == 0
    assert facts["mean_time_to_alert_seconds"] is not None
    assert len(mail.outbox) == 3
    assert "203.0.113.9" not in repr(section)
    assert "script" not in repr(section)


def test_http_and_sql_sensors_are_active_through_the_middleware(settings):
    settings.FORTRESA_SECURITY_EMAILS = ["security@example.test"]

    facts = _facts(_build(DetectionProvider))

    assert facts["sensors"][:2] == ["http", "sql"]


def test_uptime_over_90_days_below_target_degrades():
    today = timezone.now().date()
    for offset in range(10):
        DailyUptime.objects.create(component="web", day=today - offset * DAY, operational=100)
    section = _build(AvailabilityProvider)
    assert section.status == Status.MET
    assert _facts(section)["uptime_90_days"] == "100.00"

    DailyUptime.objects.filter(day=today).update(operational=0, major_outage=100)

    section = _build(AvailabilityProvider)
    assert section.status == Status.DEGRADED
    assert _facts(section)["uptime_90_days"] == "90.00"


def test_no_uptime_measured_is_not_configured():
    section = _build(AvailabilityProvider)

    assert section.status == Status.NOT_CONFIGURED
    assert section.how_to_check[0].url == "/status/"

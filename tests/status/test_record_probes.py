"""Probes reading other apps' records, and the registry of probes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.apps import apps

from fortresa.status.components import ComponentStatus
from fortresa.status.conf import StatusSettings
from fortresa.status.models import ComponentState
from fortresa.status.probes import Probe, register, registered_probes, unregister
from fortresa.status.probes.records import (
    CriticalAlertsProbe,
    DependencyAuditProbe,
    FullBackupProbe,
    RecordAgeProbe,
    RestoreDrillProbe,
)
from fortresa.status.services.monitoring import run_status_checks

needs_backups = pytest.mark.skipif(
    not apps.is_installed("fortresa.backups"), reason="fortresa.backups is not installed"
)


def _backup(kind: str, finished_at: dt.datetime, result: str = "succeeded") -> None:
    backup_run = apps.get_model("backups", "BackupRun")
    backup_run.objects.create(
        engine="pgbackrest",
        repository=1,
        kind=kind,
        started_at=finished_at - dt.timedelta(minutes=10),
        finished_at=finished_at,
        result=result,
    )


@needs_backups
@pytest.mark.django_db
def test_full_backup_probe_degrades_when_the_last_full_backup_is_stale(
    conf: StatusSettings, now: dt.datetime
) -> None:
    _backup("full", now - conf.full_backup_warn - dt.timedelta(hours=1))

    outcome = FullBackupProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.DEGRADED


@needs_backups
@pytest.mark.django_db
def test_full_backup_probe_reports_partial_outage_past_the_failure_threshold(
    conf: StatusSettings, now: dt.datetime
) -> None:
    _backup("full", now - conf.full_backup_fail - dt.timedelta(hours=1))
    _backup("full", now - dt.timedelta(hours=1), result="failed")

    outcome = FullBackupProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.PARTIAL_OUTAGE


@needs_backups
@pytest.mark.django_db
def test_stale_backup_puts_the_backups_component_in_partial_outage(
    conf: StatusSettings, now: dt.datetime
) -> None:
    _backup("full", now - dt.timedelta(days=30))
    _backup("diff", now - dt.timedelta(hours=2))

    run_status_checks(now=now, probes=[FullBackupProbe()], conf=conf)

    state = ComponentState.objects.get(component="backups")
    assert state.status == ComponentStatus.PARTIAL_OUTAGE


@needs_backups
@pytest.mark.django_db
def test_restore_drill_probe_reports_a_failed_drill(conf: StatusSettings, now: dt.datetime) -> None:
    drill = apps.get_model("backups", "RestoreDrill")
    drill.objects.create(
        engine="pgbackrest",
        repository=1,
        mode="latest",
        started_at=now - dt.timedelta(hours=3),
        finished_at=now - dt.timedelta(hours=2),
        result="failed",
    )

    outcome = RestoreDrillProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.PARTIAL_OUTAGE


@pytest.mark.django_db
def test_dependency_audit_probe_degrades_on_a_failed_audit(
    conf: StatusSettings, now: dt.datetime
) -> None:
    from fortresa.supplychain.models import AuditRun

    AuditRun.objects.create(ran_at=now - dt.timedelta(hours=1), result="failed", mode="offline")

    outcome = DependencyAuditProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.DEGRADED


@pytest.mark.django_db
def test_dependency_audit_probe_is_operational_after_a_recent_passed_audit(
    conf: StatusSettings, now: dt.datetime
) -> None:
    from fortresa.supplychain.models import AuditRun

    AuditRun.objects.create(ran_at=now - dt.timedelta(hours=1), result="passed", mode="offline")

    outcome = DependencyAuditProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.OPERATIONAL


@pytest.mark.skipif(apps.is_installed("fortresa.detection"), reason="detection is installed")
def test_critical_alerts_probe_is_not_configured_without_detection(
    conf: StatusSettings, now: dt.datetime
) -> None:
    outcome = CriticalAlertsProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.NOT_CONFIGURED


def _alert(state: str, now: dt.datetime) -> None:
    alert = apps.get_model("detection", "Alert")
    alert.objects.create(
        kind="csp_violation",
        severity="critical",
        source="test",
        dedup_key=f"status-{state}",
        first_seen=now,
        last_seen=now,
        state=state,
    )


@pytest.mark.skipif(not apps.is_installed("fortresa.detection"), reason="no detection app")
@pytest.mark.django_db
def test_open_critical_alert_degrades_security_monitoring(
    conf: StatusSettings, now: dt.datetime
) -> None:
    _alert("resolved", now)
    _alert("acknowledged", now)

    outcome = CriticalAlertsProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.DEGRADED
    assert outcome.summary == "1 open critical alerts"


@pytest.mark.skipif(not apps.is_installed("fortresa.detection"), reason="no detection app")
@pytest.mark.django_db
def test_resolved_critical_alerts_leave_security_monitoring_operational(
    conf: StatusSettings, now: dt.datetime
) -> None:
    _alert("resolved", now)

    outcome = CriticalAlertsProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.OPERATIONAL


class _AbsentAppProbe(Probe):
    slug = "absent-app"
    component = "security"
    requires_app = "fortresa.not_an_app"

    def check(self, *, now: dt.datetime, conf: StatusSettings):  # type: ignore[no-untyped-def]
        raise AssertionError("a probe of an app that is not installed must not run")


def test_probe_of_an_app_that_is_not_installed_reports_not_configured(
    conf: StatusSettings, now: dt.datetime
) -> None:
    outcome = _AbsentAppProbe().run(now=now, conf=conf)

    assert outcome.status == ComponentStatus.NOT_CONFIGURED


class _FakeBackupProbe(RecordAgeProbe):
    """Stands for a backup engine whose last success was ten days ago."""

    slug = "fake-backup"
    component = "backups"
    what = "fake backup"
    last: dt.datetime | None = None

    def last_success_at(self) -> dt.datetime | None:
        return self.last

    def thresholds(self, conf: StatusSettings) -> tuple[dt.timedelta, dt.timedelta]:
        return dt.timedelta(days=1), dt.timedelta(days=7)


@pytest.fixture
def fake_backup_probe() -> Iterator[type[_FakeBackupProbe]]:
    register(_FakeBackupProbe)
    try:
        yield _FakeBackupProbe
    finally:
        unregister(_FakeBackupProbe.slug)


@pytest.mark.smoke
@pytest.mark.django_db
def test_registered_fake_backup_provider_marks_backups_down_when_stale(
    fake_backup_probe: type[_FakeBackupProbe], conf: StatusSettings, now: dt.datetime
) -> None:
    fake_backup_probe.last = now - dt.timedelta(days=10)
    chosen = [p for p in registered_probes() if p.slug == "fake-backup"]

    run_status_checks(now=now, probes=chosen, conf=conf)

    assert ComponentState.objects.get(component="backups").status == "partial_outage"


def test_registering_a_probe_for_an_unknown_component_is_refused() -> None:
    class Stray(Probe):
        slug = "stray"
        component = "nowhere"

    with pytest.raises(ValueError, match="unknown component"):
        register(Stray)

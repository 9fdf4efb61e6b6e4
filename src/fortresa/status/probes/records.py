"""Probes reading what other apps recorded: backups, restore drills, audits, alerts.

Each names the app it reads in ``requires_app`` and imports it only inside ``check``, so
the status area works whether or not those apps are installed.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps

from fortresa.status.components import ComponentStatus
from fortresa.status.conf import StatusSettings
from fortresa.status.probes.base import Probe, ProbeOutcome, register


def _age(now: datetime, then: datetime) -> str:
    hours = (now - then).total_seconds() / 3600
    return f"{hours / 24:.1f} days ago" if hours >= 48 else f"{hours:.1f} hours ago"


class RecordAgeProbe(Probe):
    """A job that must succeed regularly: degraded past ``warn``, partial outage past ``fail``.

    Subclasses say when the job last succeeded (``last_success_at``) and which thresholds
    apply. "Never" is degraded, not an outage: a fresh installation has not run it yet.
    """

    what = "job"

    @abstractmethod
    def last_success_at(self) -> datetime | None: ...

    @abstractmethod
    def thresholds(self, conf: StatusSettings) -> tuple[timedelta, timedelta]: ...

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        warn, fail = self.thresholds(conf)
        last = self.last_success_at()
        if last is None:
            return ProbeOutcome(ComponentStatus.DEGRADED, f"no successful {self.what} yet")
        summary = f"last {self.what} {_age(now, last)}"
        age = now - last
        if age > fail:
            return ProbeOutcome(ComponentStatus.PARTIAL_OUTAGE, summary)
        if age > warn:
            return ProbeOutcome(ComponentStatus.DEGRADED, summary)
        return ProbeOutcome(ComponentStatus.OPERATIONAL, summary)


class BackupAgeProbe(RecordAgeProbe):
    component = "backups"
    requires_app = "fortresa.backups"
    kind = ""

    def last_success_at(self) -> datetime | None:
        backup_run = apps.get_model("backups", "BackupRun")
        finished: datetime | None = (
            backup_run.objects.filter(kind=self.kind, result="succeeded")
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        return finished


@register
class FullBackupProbe(BackupAgeProbe):
    slug = "backup-full"
    kind = "full"
    what = "full backup"

    def thresholds(self, conf: StatusSettings) -> tuple[timedelta, timedelta]:
        return conf.full_backup_warn, conf.full_backup_fail


@register
class DiffBackupProbe(BackupAgeProbe):
    slug = "backup-diff"
    kind = "diff"
    what = "differential backup"

    def thresholds(self, conf: StatusSettings) -> tuple[timedelta, timedelta]:
        return conf.diff_backup_warn, conf.diff_backup_fail


@register
class RestoreDrillProbe(Probe):
    """The last restore drill must have passed, and not long ago."""

    slug = "restore-drill"
    component = "backups"
    requires_app = "fortresa.backups"

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        drill = apps.get_model("backups", "RestoreDrill")
        last = drill.objects.exclude(result="running").order_by("-started_at").first()
        if last is None:
            return ProbeOutcome(ComponentStatus.DEGRADED, "no restore drill yet")
        when = last.finished_at or last.started_at
        if last.result != "succeeded":
            return ProbeOutcome(
                ComponentStatus.PARTIAL_OUTAGE, f"last drill failed {_age(now, when)}"
            )
        summary = f"last drill passed {_age(now, when)}"
        if now - when > conf.restore_drill_warn:
            return ProbeOutcome(ComponentStatus.DEGRADED, summary)
        return ProbeOutcome(ComponentStatus.OPERATIONAL, summary)


@register
class WalArchiveProbe(Probe):
    """The backups app raises a ``wal_lag`` alert while the WAL archive falls behind."""

    slug = "wal-archive"
    component = "backups"
    requires_app = "fortresa.backups"

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        alert = apps.get_model("backups", "BackupAlert")
        lagging = alert.objects.filter(kind="wal_lag", resolved_at__isnull=True).first()
        if lagging is not None:
            return ProbeOutcome(
                ComponentStatus.DEGRADED,
                f"WAL archive lagging since {_age(now, lagging.raised_at)}",
            )
        return ProbeOutcome(ComponentStatus.OPERATIONAL, "WAL archive keeping up")


@register
class DatabaseAuditProbe(Probe):
    slug = "database-audit"
    component = "security"
    requires_app = "fortresa.dbaccess"

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        selectors = import_module("fortresa.dbaccess.selectors")
        run = selectors.latest_database_audit()
        if run is None:
            return ProbeOutcome(ComponentStatus.DEGRADED, "no database audit yet")
        if not run.passed:
            return ProbeOutcome(
                ComponentStatus.DEGRADED, f"last database audit failed {_age(now, run.ran_at)}"
            )
        if now - run.ran_at > conf.audit_warn:
            return ProbeOutcome(
                ComponentStatus.DEGRADED, f"last database audit {_age(now, run.ran_at)}"
            )
        return ProbeOutcome(ComponentStatus.OPERATIONAL, "database audit passed")


@register
class DependencyAuditProbe(Probe):
    slug = "dependency-audit"
    component = "security"
    requires_app = "fortresa.supplychain"

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        selectors = import_module("fortresa.supplychain.selectors")
        run = selectors.last_audit_run()
        if run is None:
            return ProbeOutcome(ComponentStatus.DEGRADED, "no dependency audit yet")
        if run.result != "passed":
            return ProbeOutcome(
                ComponentStatus.DEGRADED,
                f"last dependency audit {run.result} {_age(now, run.ran_at)}",
            )
        if now - run.ran_at > conf.audit_warn:
            return ProbeOutcome(
                ComponentStatus.DEGRADED, f"last dependency audit {_age(now, run.ran_at)}"
            )
        return ProbeOutcome(ComponentStatus.OPERATIONAL, "dependency audit passed")


@register
class CriticalAlertsProbe(Probe):
    """Critical alerts of the detection area that nobody resolved yet (new or acknowledged)."""

    slug = "critical-alerts"
    component = "security"
    requires_app = "fortresa.detection"
    open_states = ("new", "acknowledged")

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        selectors = import_module("fortresa.detection.selectors")
        critical = selectors.alerts_for_triage(severity="critical")
        count = int(critical.filter(state__in=self.open_states).count())
        if count:
            return ProbeOutcome(ComponentStatus.DEGRADED, f"{count} open critical alerts")
        return ProbeOutcome(ComponentStatus.OPERATIONAL, "no open critical alert")

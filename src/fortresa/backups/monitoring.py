"""Watches what should be happening: WAL archiving, schedules, reachable repositories."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from fortresa.backups.alerts import raise_alert, resolve_alert
from fortresa.backups.config import BackupConfig
from fortresa.backups.engines.base import BackupEngine, BackupError, RepositoryState
from fortresa.backups.models import BackupAlert
from fortresa.backups.services import engine_for

# A schedule counts as missed once a backup is this much later than its interval.
GRACE = timedelta(minutes=15)


def expected_intervals(config: BackupConfig) -> dict[str, timedelta]:
    """Which backup kinds must recur, and how often (a full also satisfies a diff)."""
    intervals = {"full": config.schedule.full_every, "diff": config.schedule.diff_every}
    if config.engine == "sqlite":
        intervals["incr"] = config.schedule.incr_every
    return intervals


def missed_schedules(
    config: BackupConfig, state: RepositoryState, now: datetime
) -> dict[str, datetime | None]:
    """Kinds whose latest backup in ``state`` is overdue, with that backup's time."""
    counts_for = {"full": ("full",), "diff": ("full", "diff"), "incr": ("full", "diff", "incr")}
    missed: dict[str, datetime | None] = {}
    for kind, every in expected_intervals(config).items():
        times = [b.finished_at for b in state.backups if b.kind in counts_for[kind]]
        latest = max(times, default=None)
        if latest is None or now - latest > every + GRACE:
            missed[kind] = latest
    return missed


def check_backups(*, config: BackupConfig | None = None) -> list[BackupAlert]:
    """Raise an alert for each condition that needs an operator; resolve cleared ones."""
    config, engine = engine_for(config)
    now = timezone.now()
    alerts: list[BackupAlert] = []
    try:
        states = engine.repositories()
    except BackupError as exc:
        states = []
        alerts.append(
            raise_alert(
                kind=BackupAlert.Kind.REPOSITORY_UNREACHABLE,
                subject="all",
                message=f"the repositories cannot be listed: {exc}",
            )
        )
    for state in states:
        subject = f"repo{state.number}"
        if not state.reachable:
            alerts.append(
                raise_alert(
                    kind=BackupAlert.Kind.REPOSITORY_UNREACHABLE,
                    subject=subject,
                    message=f"{subject} ({state.description}) is unreachable: {state.error}",
                )
            )
            continue
        resolve_alert(kind=BackupAlert.Kind.REPOSITORY_UNREACHABLE, subject=subject)
        missed = missed_schedules(config, state, now)
        for kind in ("full", "diff", "incr"):
            key = f"{subject}-{kind}"
            if kind in missed:
                last = missed[kind]
                alerts.append(
                    raise_alert(
                        kind=BackupAlert.Kind.MISSED_SCHEDULE,
                        subject=key,
                        message=f"no {kind} backup in {subject} since "
                        f"{last.isoformat() if last else 'ever'}",
                        details={"last": last.isoformat() if last else None},
                    )
                )
            else:
                resolve_alert(kind=BackupAlert.Kind.MISSED_SCHEDULE, subject=key)
    alerts += _check_archive(config, engine)
    return alerts


def _check_archive(config: BackupConfig, engine: BackupEngine) -> list[BackupAlert]:
    try:
        archive = engine.archive_state()
    except BackupError as exc:
        return [
            raise_alert(
                kind=BackupAlert.Kind.WAL_LAG,
                subject="archive",
                message=f"the WAL archiver's state cannot be read: {exc}",
            )
        ]
    if archive.failing or archive.lag_seconds > config.wal_lag_alert.total_seconds():
        return [
            raise_alert(
                kind=BackupAlert.Kind.WAL_LAG,
                subject="archive",
                message=f"WAL archive is {archive.lag_seconds:.0f} s behind"
                + (" and archiving is failing" if archive.failing else "")
                + f" ({archive.detail})",
                details={"lag_seconds": archive.lag_seconds, "failing": archive.failing},
            )
        ]
    resolve_alert(kind=BackupAlert.Kind.WAL_LAG, subject="archive")
    return []

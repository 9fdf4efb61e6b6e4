"""Backup actions: every call is recorded, failures raise alerts, restores are audited."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

from fortresa.backups.alerts import raise_alert, resolve_alert
from fortresa.backups.config import BackupConfig, load_config
from fortresa.backups.engines import get_engine
from fortresa.backups.engines.base import (
    BackupEngine,
    BackupError,
    Fingerprint,
    Progress,
    RestoreOutcome,
    quiet,
)
from fortresa.backups.models import BackupAlert, BackupRun, DataFingerprint, Result, VerifyRun
from fortresa.core.audit import record_event

logger = logging.getLogger(__name__)


def engine_for(config: BackupConfig | None) -> tuple[BackupConfig, BackupEngine]:
    resolved = config or load_config()
    return resolved, get_engine(resolved)


def repository_numbers(engine: BackupEngine) -> list[int]:
    return [state.number for state in engine.repositories()]


def run_backup(
    *,
    kind: str,
    repository: int,
    actor: Any = None,
    config: BackupConfig | None = None,
    progress: Progress = quiet,
) -> BackupRun:
    """Take one backup into one repository and record it; a failure raises an alert."""
    config, engine = engine_for(config)
    run = BackupRun.objects.create(
        engine=engine.identifier, repository=repository, kind=kind, started_at=timezone.now()
    )
    subject = f"repo{repository}"
    try:
        outcome = engine.backup(kind=kind, repository=repository, progress=progress)
    except BackupError as exc:
        run.result, run.error = Result.FAILED, str(exc)
        run.finished_at = timezone.now()
        run.save()
        said = str(exc)
        # Engines often say which backup failed already; do not say it twice.
        if not said.startswith(f"{kind} backup to "):
            said = f"{kind} backup to {subject} failed: {said}"
        raise_alert(
            kind=BackupAlert.Kind.BACKUP_FAILED,
            subject=subject,
            message=said,
            details={"run": run.pk},
        )
        return run
    run.result, run.label, run.size_bytes = Result.SUCCEEDED, outcome.label, outcome.size_bytes
    run.finished_at = timezone.now()
    run.save()
    resolve_alert(kind=BackupAlert.Kind.BACKUP_FAILED, subject=subject)
    if outcome.fingerprint is not None:
        _store_fingerprint(engine, outcome.fingerprint, repository=repository)
    else:
        try:
            record_fingerprint(config=config)
        except BackupError as exc:
            # The backup itself is good; drills fall back to other fingerprints.
            logger.warning("fingerprint after %s backup failed: %s", kind, exc)
    return run


def run_scheduled_backups(
    *, kind: str, config: BackupConfig | None = None, progress: Progress = quiet
) -> list[BackupRun]:
    """One backup of ``kind`` into each repository in turn (each run takes its lock)."""
    config, engine = engine_for(config)
    return [
        run_backup(kind=kind, repository=number, config=config, progress=progress)
        for number in repository_numbers(engine)
    ]


def verify_repository(
    *,
    repository: int,
    config: BackupConfig | None = None,
    progress: Progress = quiet,
) -> VerifyRun:
    """Read back a repository; any problem fails the run and raises an alert."""
    config, engine = engine_for(config)
    run = VerifyRun.objects.create(
        engine=engine.identifier, repository=repository, started_at=timezone.now()
    )
    try:
        outcome = engine.verify(repository=repository, progress=progress)
        problems, checked = list(outcome.problems), outcome.checked
    except BackupError as exc:
        problems, checked = [str(exc)], 0
    run.problems, run.checked = problems, checked
    run.result = Result.FAILED if problems else Result.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    subject = f"repo{repository}"
    if problems:
        raise_alert(
            kind=BackupAlert.Kind.VERIFY_FAILED,
            subject=subject,
            message=f"verification of {subject} found {len(problems)} problem(s): {problems[0]}",
            details={"run": run.pk, "problems": problems[:20]},
        )
    else:
        resolve_alert(kind=BackupAlert.Kind.VERIFY_FAILED, subject=subject)
    return run


def restore_database(
    *,
    target_time: datetime | None,
    repository: int | None,
    target: Path | None,
    in_place: bool = False,
    actor: Any = None,
    config: BackupConfig | None = None,
    progress: Progress = quiet,
) -> RestoreOutcome:
    """Restore into ``target`` (or over the live database once confirmed); audited."""
    config, engine = engine_for(config)
    details: dict[str, Any] = {
        "engine": engine.identifier,
        "to": target_time.isoformat() if target_time else "latest",
        "repository": repository,
        "target": "in-place" if in_place else str(target),
    }
    try:
        outcome = engine.restore(
            target_time=target_time,
            repository=repository,
            target=target,
            in_place=in_place,
            progress=progress,
        )
    except BackupError as exc:
        record_event(
            action="backup.restore_failed", actor=actor, details={**details, "error": str(exc)}
        )
        raise
    record_event(
        action="backup.restore_in_place" if in_place else "backup.restore",
        actor=actor,
        target=str(outcome.target),
        details={**details, "repository": outcome.repository, "label": outcome.label},
    )
    return outcome


def expire_backups(
    *,
    repository: int | None = None,
    actor: Any = None,
    config: BackupConfig | None = None,
    progress: Progress = quiet,
) -> dict[int, list[str]]:
    """Apply retention to one or every repository; returns the labels destroyed."""
    config, engine = engine_for(config)
    numbers = [repository] if repository else repository_numbers(engine)
    removed = {number: engine.expire(repository=number, progress=progress) for number in numbers}
    if any(removed.values()):
        record_event(
            action="backup.expire",
            actor=actor,
            details={
                "engine": engine.identifier,
                "removed": {str(k): v for k, v in removed.items()},
            },
        )
    return removed


def record_fingerprint(*, config: BackupConfig | None = None) -> DataFingerprint | None:
    """Fingerprint the live database, for later drills to restore to and compare with."""
    config, engine = engine_for(config)
    point = engine.fingerprint_now(config.drill_tables)
    return _store_fingerprint(engine, point, repository=None) if point else None


def _store_fingerprint(
    engine: BackupEngine, point: Fingerprint, *, repository: int | None
) -> DataFingerprint:
    return DataFingerprint.objects.create(
        engine=engine.identifier,
        taken_at=point.taken_at,
        repository=repository,
        label=point.label,
        lsn=point.lsn,
        tables=point.tables,
    )

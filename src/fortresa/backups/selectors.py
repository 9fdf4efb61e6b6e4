"""Reads for the command, the operator console and the status page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fortresa.backups.config import BackupConfig
from fortresa.backups.engines.base import BackupError, RepositoryState
from fortresa.backups.models import BackupAlert, BackupRun, RestoreDrill
from fortresa.backups.services import engine_for


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def latest_drill() -> RestoreDrill | None:
    """The most recent finished drill, for the status page and the operator console."""
    return RestoreDrill.objects.exclude(finished_at=None).order_by("-started_at").first()


def open_alerts() -> list[BackupAlert]:
    return list(BackupAlert.objects.filter(resolved_at=None).order_by("-raised_at"))


def drill_summary(drill: RestoreDrill | None) -> dict[str, Any] | None:
    if drill is None:
        return None
    return {
        "repository": drill.repository,
        "mode": drill.mode,
        "result": drill.result,
        "started_at": _iso(drill.started_at),
        "target_time": _iso(drill.target_time),
        "rpo_seconds": drill.rpo_seconds,
        "rto_seconds": drill.rto_seconds,
        "error": drill.error,
    }


def _repository_summary(engine_name: str, state: RepositoryState) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for backup in sorted(state.backups, key=lambda b: b.finished_at):
        last[backup.kind] = {
            "label": backup.label,
            "started_at": _iso(backup.started_at),
            "finished_at": _iso(backup.finished_at),
            "size_bytes": backup.size_bytes,
        }
    run = BackupRun.objects.filter(engine=engine_name, repository=state.number).first()
    return {
        "number": state.number,
        "description": state.description,
        "reachable": state.reachable,
        "error": state.error,
        "backups": len(state.backups),
        "last": last,
        "last_run": None
        if run is None
        else {"kind": run.kind, "result": run.result, "started_at": _iso(run.started_at),
              "error": run.error},
    }  # fmt: skip


def backup_status(*, config: BackupConfig | None = None) -> dict[str, Any]:
    """Repositories, last backup of each kind per repository, WAL lag, last drill, alerts."""
    config, engine = engine_for(config)
    status: dict[str, Any] = {"engine": engine.identifier}
    try:
        status["repositories"] = [
            _repository_summary(engine.identifier, state) for state in engine.repositories()
        ]
    except BackupError as exc:
        status["repositories"] = []
        status["error"] = str(exc)
    try:
        archive = engine.archive_state()
        status["wal_archive"] = {
            "lag_seconds": archive.lag_seconds,
            "failing": archive.failing,
            "detail": archive.detail,
        }
    except BackupError as exc:
        status["wal_archive"] = {"lag_seconds": None, "failing": True, "detail": str(exc)}
    status["last_drill"] = drill_summary(latest_drill())
    status["open_alerts"] = [
        {"kind": a.kind, "subject": a.subject, "message": a.message, "raised_at": _iso(a.raised_at)}
        for a in open_alerts()
    ]
    return status

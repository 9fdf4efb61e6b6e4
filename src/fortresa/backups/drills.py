"""Restore drills: prove the backups restore, to a moment whose contents we recorded."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from fortresa.backups.alerts import raise_alert, resolve_alert
from fortresa.backups.config import BackupConfig
from fortresa.backups.engines.base import BackupError, Fingerprint, Progress, quiet
from fortresa.backups.models import BackupAlert, DataFingerprint, RestoreDrill, Result
from fortresa.backups.services import _store_fingerprint, engine_for

RANDOM_WINDOW = timedelta(hours=24)


def _as_point(row: DataFingerprint) -> Fingerprint:
    return Fingerprint(taken_at=row.taken_at, tables=row.tables, lsn=row.lsn, label=row.label)


def _recorded(engine: str, repository: int) -> Any:
    return DataFingerprint.objects.filter(engine=engine).filter(
        repository__isnull=True
    ) | DataFingerprint.objects.filter(engine=engine, repository=repository)


def run_drill(
    *,
    mode: str,
    repository: int,
    config: BackupConfig | None = None,
    progress: Progress = quiet,
    chooser: random.Random | None = None,
) -> RestoreDrill:
    """Restore the latest state (``latest``) or a random recorded moment of the last
    24 hours (``random``) from ``repository`` into a scratch place, check it, tear down.

    ``latest`` also measures the data-loss window: how long a commit waited before its
    WAL reached every repository (pgBackRest), or the age of the newest backup (SQLite).
    """
    config, engine = engine_for(config)
    drill = RestoreDrill.objects.create(
        engine=engine.identifier, repository=repository, mode=mode, started_at=timezone.now()
    )
    try:
        point = _drill_point(config, engine.identifier, repository, mode, chooser)
        drill.target_time = point.taken_at
        outcome = engine.drill(
            repository=repository, point=point, measure_rpo=mode == "latest", progress=progress
        )
        drill.rpo_seconds, drill.rto_seconds = outcome.rpo_seconds, outcome.rto_seconds
        drill.checks = outcome.checks
        problems = list(outcome.problems)
    except BackupError as exc:
        problems = [str(exc)]
    drill.result = Result.FAILED if problems else Result.SUCCEEDED
    drill.error = "; ".join(problems)
    drill.finished_at = timezone.now()
    drill.save()
    subject = f"repo{repository}"
    if problems:
        raise_alert(
            kind=BackupAlert.Kind.DRILL_FAILED,
            subject=subject,
            message=f"{mode} restore drill from {subject} failed: {drill.error}",
            details={"drill": drill.pk},
        )
    else:
        resolve_alert(kind=BackupAlert.Kind.DRILL_FAILED, subject=subject)
    return drill


def _drill_point(
    config: BackupConfig,
    engine_name: str,
    repository: int,
    mode: str,
    chooser: random.Random | None,
) -> Fingerprint:
    from fortresa.backups.engines import get_engine

    engine = get_engine(config)
    if mode == "latest":
        live = engine.fingerprint_now(config.drill_tables)
        if live is not None:
            _store_fingerprint(engine, live, repository=None)
            return live
        newest = _recorded(engine_name, repository).order_by("-taken_at").first()
        if newest is None:
            raise BackupError(f"repository {repository} has no backup to drill")
        return _as_point(newest)
    if mode != "random":
        raise BackupError(f"unknown drill mode {mode!r}: use latest or random")
    since = timezone.now() - RANDOM_WINDOW
    states = {state.number: state for state in engine.repositories()}
    state = states.get(repository)
    backups = state.backups if state else ()
    earliest = min((b.finished_at for b in backups), default=None)
    if earliest is None:
        raise BackupError(f"repository {repository} holds no backup")
    candidates = list(
        _recorded(engine_name, repository).filter(
            taken_at__gte=max(since, earliest), taken_at__lte=timezone.now()
        )
    )
    if not candidates:
        raise BackupError(
            f"no recorded moment of the last 24 hours is restorable from repository {repository}"
        )
    return _as_point((chooser or random.SystemRandom()).choice(candidates))


def daily_drills(*, config: BackupConfig | None = None) -> list[RestoreDrill]:
    """The latest state from one repository and a random moment from the next, rotating
    daily, so every repository is restored for real every few days at most."""
    config, engine = engine_for(config)
    numbers = [state.number for state in engine.repositories()]
    day = timezone.now().toordinal()
    latest = numbers[day % len(numbers)]
    other = numbers[(day + 1) % len(numbers)]
    return [
        run_drill(mode="latest", repository=latest, config=config),
        run_drill(mode="random", repository=other, config=config),
    ]

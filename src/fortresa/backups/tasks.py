"""Scheduled backup work for the Celery workers; each task is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from fortresa.backups import drills, monitoring, services


@shared_task(name="fortresa.backups.tasks.run_backups")
def run_backups(kind: str) -> list[int]:
    return [run.pk for run in services.run_scheduled_backups(kind=kind)]


@shared_task(name="fortresa.backups.tasks.verify_backups")
def verify_backups() -> list[int]:
    _config, engine = services.engine_for(None)
    return [
        services.verify_repository(repository=number).pk
        for number in services.repository_numbers(engine)
    ]


@shared_task(name="fortresa.backups.tasks.run_drills")
def run_drills() -> list[int]:
    return [drill.pk for drill in drills.daily_drills()]


@shared_task(name="fortresa.backups.tasks.expire_backups")
def expire_backups() -> dict[str, list[str]]:
    return {str(k): v for k, v in services.expire_backups().items()}


@shared_task(name="fortresa.backups.tasks.record_fingerprint")
def record_fingerprint() -> int | None:
    row = services.record_fingerprint()
    return row.pk if row else None


@shared_task(name="fortresa.backups.tasks.check_backups")
def check_backups() -> list[int]:
    return [alert.pk for alert in monitoring.check_backups()]

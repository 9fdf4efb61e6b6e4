"""The backups section follows the backup runs, drills and alerts the backups app records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fortresa.backups.models import BackupAlert, BackupRun, RestoreDrill, Result
from fortresa.trust.providers.backups import BackupsProvider
from fortresa.trust.providers.base import Status

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def two_local_repositories(monkeypatch: pytest.MonkeyPatch) -> None:
    """pgBackRest with two posix repositories (the second is Azure by default)."""
    monkeypatch.setenv("FORTRESA_BACKUP_ENGINE", "pgbackrest")
    monkeypatch.setenv("FORTRESA_BACKUP_REPO2_TYPE", "posix")


def _run(repository: int, kind: str, age: dt.timedelta, result: str = Result.SUCCEEDED) -> None:
    finished = timezone.now() - age
    BackupRun.objects.create(
        engine="pgbackrest",
        repository=repository,
        kind=kind,
        started_at=finished - dt.timedelta(minutes=5),
        finished_at=finished,
        result=result,
    )


def _drill(result: str, age: dt.timedelta = HOUR) -> RestoreDrill:
    finished = timezone.now() - age
    return RestoreDrill.objects.create(
        engine="pgbackrest",
        repository=1,
        mode=RestoreDrill.Mode.RANDOM,
        started_at=finished - dt.timedelta(minutes=3),
        finished_at=finished,
        result=result,
        rpo_seconds=42.4,
        rto_seconds=95.0,
    )


def _healthy() -> None:
    for repository in (1, 2):
        _run(repository, "full", 2 * HOUR)
        _run(repository, "diff", dt.timedelta(minutes=20))
    _drill(Result.SUCCEEDED)


def _backups() -> Any:
    return BackupsProvider().build(now=timezone.now())


def test_recent_backups_in_every_repository_and_a_passed_drill_are_met():
    _healthy()

    section = _backups()

    assert section.status == Status.MET, section.reasons
    facts = {fact.key: fact.value for fact in section.facts}
    assert facts["repositories"] == 2
    assert facts["encryption"] == "AES-256"
    assert facts["retention_days"] == 90
    assert facts["drill_data_loss_seconds"] == 42
    assert facts["drill_restore_seconds"] == 95
    assert [group.key for group in section.groups] == ["repository:1", "repository:2"]


def test_old_full_backup_in_one_repository_degrades():
    _healthy()
    BackupRun.objects.filter(repository=2, kind="full").update(
        finished_at=timezone.now() - 3 * 24 * HOUR
    )

    section = _backups()

    assert section.status == Status.DEGRADED
    assert any("Repository 2" in str(reason) for reason in section.reasons)


def test_failed_backup_does_not_count_as_a_backup():
    _healthy()
    BackupRun.objects.filter(repository=1, kind="diff").delete()
    _run(1, "diff", dt.timedelta(minutes=5), result=Result.FAILED)
    BackupRun.objects.filter(repository=1, kind="full").update(
        finished_at=timezone.now() - 7 * HOUR
    )

    assert _backups().status == Status.DEGRADED


def test_failed_restore_drill_degrades():
    _healthy()
    _drill(Result.FAILED, age=dt.timedelta(minutes=1))

    section = _backups()

    assert section.status == Status.DEGRADED
    assert "The last restore drill failed." in [str(reason) for reason in section.reasons]


def test_restore_drill_older_than_eight_days_degrades():
    _healthy()
    RestoreDrill.objects.update(finished_at=timezone.now() - 9 * 24 * HOUR)

    assert _backups().status == Status.DEGRADED


def test_no_drill_yet_degrades():
    _healthy()
    RestoreDrill.objects.all().delete()

    assert _backups().status == Status.DEGRADED


def test_wal_archive_falling_behind_degrades_and_shows_the_lag():
    _healthy()
    now = timezone.now()
    BackupAlert.objects.create(
        kind=BackupAlert.Kind.WAL_LAG,
        subject="archive",
        message="WAL archive is 900 s behind",
        details={"lag_seconds": 900.0, "failing": False},
        raised_at=now,
        last_seen_at=now,
    )

    section = _backups()

    assert section.status == Status.DEGRADED
    assert {f.key: f.value for f in section.facts}["wal_lag_seconds"] == 900


def test_unloadable_backup_configuration_is_not_configured(monkeypatch):
    monkeypatch.setenv("FORTRESA_BACKUP_REPO2_TYPE", "azure")
    monkeypatch.delenv("FORTRESA_BACKUP_REPO2_AZURE_ACCOUNT", raising=False)

    assert _backups().status == Status.NOT_CONFIGURED

"""Alert-worthy conditions are recorded until the detection area delivers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fortresa.backups.engines.pgcluster import evaluate_archive
from fortresa.backups.engines.sqlite import SqliteEngine
from fortresa.backups.models import BackupAlert
from fortresa.backups.monitoring import check_backups, missed_schedules
from fortresa.backups.schedule import beat_schedule
from fortresa.core.env import Env
from tests.backups.test_sqlite import make_config, write

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
SEGMENT_5 = "000000010000000000000005"
SEGMENT_9 = "000000010000000000000009"


def test_archive_lag_counts_from_the_last_archived_segment_when_segments_wait() -> None:
    state = evaluate_archive(
        archived_wal=SEGMENT_5, archived_at=1000.0, failed_at=0.0,
        current_wal=SEGMENT_9, now=1400.0, since=0.0,
    )  # fmt: skip

    assert state.lag_seconds == 400.0


def test_archive_lag_is_zero_when_only_the_open_segment_is_unarchived() -> None:
    state = evaluate_archive(
        archived_wal=SEGMENT_5, archived_at=1000.0, failed_at=0.0,
        current_wal="000000010000000000000006", now=9999.0, since=0.0,
    )  # fmt: skip

    assert state.lag_seconds == 0.0


def test_failing_archiver_is_reported_even_without_waiting_segments() -> None:
    state = evaluate_archive(
        archived_wal=SEGMENT_5, archived_at=1000.0, failed_at=1200.0,
        current_wal="000000010000000000000006", now=1300.0, since=0.0,
    )  # fmt: skip

    assert state.failing


def test_repository_without_recent_backups_raises_missed_schedule(tmp_path: Path) -> None:
    write(tmp_path / "live.sqlite3", "a")
    config = make_config(tmp_path)
    SqliteEngine(config).backup(kind="full", repository=1)
    (tmp_path / "site-b").mkdir()

    check_backups(config=config)

    subjects = set(
        BackupAlert.objects.filter(kind="missed_schedule").values_list("subject", flat=True)
    )
    assert "repo2-full" in subjects
    assert "repo1-full" not in subjects


def test_missed_schedule_after_the_interval_has_passed(tmp_path: Path) -> None:
    write(tmp_path / "live.sqlite3", "a")
    config = make_config(tmp_path)
    engine = SqliteEngine(config)
    engine.backup(kind="full", repository=1)
    state = engine.repositories()[0]

    later = datetime.now(UTC) + timedelta(hours=7)

    assert set(missed_schedules(config, state, later)) == {"full", "diff", "incr"}
    assert missed_schedules(config, state, datetime.now(UTC)) == {}


def test_unreachable_repository_raises_an_alert_once_and_resolves(tmp_path: Path) -> None:
    write(tmp_path / "live.sqlite3", "a")
    config = make_config(tmp_path)
    engine = SqliteEngine(config)

    check_backups(config=config)
    check_backups(config=config)
    engine.backup(kind="full", repository=1)
    engine.backup(kind="full", repository=2)
    check_backups(config=config)

    alerts = BackupAlert.objects.filter(kind="repository_unreachable", subject="repo1")
    assert alerts.count() == 1
    assert alerts.get().resolved_at is not None


def test_schedule_backs_up_each_repository_at_the_configured_intervals() -> None:
    env = Env(environ={"FORTRESA_BACKUP_FULL_EVERY": "3h", "FORTRESA_BACKUP_DIFF_EVERY": "30m"})

    entries = beat_schedule(env, database_engine="django.db.backends.postgresql")

    assert entries["backups-full"]["schedule"] == timedelta(hours=3)
    assert entries["backups-diff"]["schedule"] == timedelta(minutes=30)
    assert "backups-incr" not in entries
    assert {"backups-drill", "backups-verify", "backups-expire", "backups-monitor"} <= set(entries)


def test_sqlite_schedule_adds_incrementals_every_ten_minutes() -> None:
    entries = beat_schedule(Env(environ={}), database_engine="django.db.backends.sqlite3")

    assert entries["backups-incr"]["schedule"] == timedelta(minutes=10)

"""The SQLite engine: encrypted full, differential and incremental backups, restored."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fortresa.backups.config import BackupConfig, load_config
from fortresa.backups.engines.base import BackupError
from fortresa.backups.engines.sqlite import SqliteEngine
from fortresa.core.env import Env

pytestmark = pytest.mark.smoke


def make_config(tmp_path: Path, key: str = "k" * 40) -> BackupConfig:
    values = {
        "FORTRESA_BACKUP_ENGINE": "sqlite",
        "FORTRESA_BACKUP_SQLITE_SOURCE": str(tmp_path / "live.sqlite3"),
        "FORTRESA_BACKUP_SQLITE_DIRS": f"{tmp_path / 'site-a'},{tmp_path / 'site-b'}",
        "FORTRESA_BACKUP_SQLITE_KEY": key,
        "FORTRESA_BACKUP_DIR": str(tmp_path / "state"),
        "FORTRESA_BACKUP_DRILL_TABLES": "members",
    }
    return load_config(Env(environ=values), var_dir=tmp_path)


def write(path: Path, *names: str) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE IF NOT EXISTS members (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany("INSERT INTO members (name) VALUES (?)", [(n,) for n in names])


def names(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [row[0] for row in db.execute("SELECT name FROM members ORDER BY id")]


@pytest.fixture
def engine(tmp_path: Path) -> SqliteEngine:
    write(tmp_path / "live.sqlite3", *[f"seed-{n}" for n in range(500)])
    return SqliteEngine(make_config(tmp_path))


def test_restore_to_a_time_returns_the_latest_backup_at_or_before_it(
    engine: SqliteEngine, tmp_path: Path
) -> None:
    live = tmp_path / "live.sqlite3"
    engine.backup(kind="full", repository=1)
    write(live, "after-full")
    engine.backup(kind="diff", repository=1)
    write(live, "after-diff")
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    engine.backup(kind="incr", repository=1)

    restored = engine.restore(target_time=between, repository=1, target=tmp_path / "out")

    rows = names(restored.target / "live.sqlite3")
    assert "after-full" in rows
    assert "after-diff" not in rows


def test_incremental_chain_restores_the_latest_state_exactly(
    engine: SqliteEngine, tmp_path: Path
) -> None:
    live = tmp_path / "live.sqlite3"
    engine.backup(kind="full", repository=2)
    write(live, "one")
    engine.backup(kind="incr", repository=2)
    write(live, "two")
    engine.backup(kind="incr", repository=2)

    restored = engine.restore(target_time=None, repository=2, target=tmp_path / "out")

    assert names(restored.target / "live.sqlite3") == names(live)


def test_differential_backup_holds_only_changed_pages(engine: SqliteEngine, tmp_path: Path) -> None:
    full = engine.backup(kind="full", repository=1)
    write(tmp_path / "live.sqlite3", "small change")

    diff = engine.backup(kind="diff", repository=1)

    assert full.size_bytes is not None

    assert diff.size_bytes is not None
    assert diff.size_bytes < full.size_bytes / 2


def test_backup_files_hold_no_plaintext(engine: SqliteEngine, tmp_path: Path) -> None:
    write(tmp_path / "live.sqlite3", "PLAINTEXT-MARKER-4242")

    engine.backup(kind="full", repository=1)

    files = list((tmp_path / "site-a").iterdir())
    assert files
    assert all(b"PLAINTEXT-MARKER-4242" not in f.read_bytes() for f in files)


def test_verify_passes_on_an_intact_repository(engine: SqliteEngine) -> None:
    engine.backup(kind="full", repository=1)
    engine.backup(kind="incr", repository=1)

    outcome = engine.verify(repository=1)

    assert outcome.ok, outcome.problems
    assert outcome.checked == 2


def test_verify_and_restore_detect_a_tampered_backup(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=1)
    victim = next((tmp_path / "site-a").glob("*.fbk"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))

    outcome = engine.verify(repository=1)

    assert not outcome.ok
    with pytest.raises(BackupError, match="altered"):
        engine.restore(target_time=None, repository=1, target=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_truncated_backup_is_detected(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=1)
    victim = next((tmp_path / "site-a").glob("*.fbk"))
    victim.write_bytes(victim.read_bytes()[:-40])

    outcome = engine.verify(repository=1)

    assert not outcome.ok


def test_a_wrong_key_cannot_restore(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=1)
    other = SqliteEngine(make_config(tmp_path, key="w" * 40))

    assert not other.verify(repository=1).ok
    with pytest.raises(BackupError, match="wrong key"):
        other.restore(target_time=None, repository=1, target=tmp_path / "out")


def test_restore_refuses_times_outside_the_backups(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=1)
    now = datetime.now(UTC)

    with pytest.raises(BackupError, match="in the future"):
        engine.restore(target_time=now + timedelta(hours=1), repository=1, target=tmp_path / "a")
    with pytest.raises(BackupError, match="before the oldest"):
        engine.restore(target_time=now - timedelta(days=1), repository=1, target=tmp_path / "b")


def test_restore_refuses_a_non_empty_target(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=1)
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "keep").write_text("precious")

    with pytest.raises(BackupError, match="not empty"):
        engine.restore(target_time=None, repository=1, target=target)

    assert (target / "keep").read_text() == "precious"


def test_restore_falls_back_to_the_second_directory(engine: SqliteEngine, tmp_path: Path) -> None:
    engine.backup(kind="full", repository=2)

    outcome = engine.restore(target_time=None, repository=None, target=tmp_path / "out")

    assert outcome.repository == 2


def test_expire_keeps_one_full_older_than_retention_and_removes_the_rest(
    engine: SqliteEngine,
) -> None:
    old_full = engine.backup(kind="full", repository=1)
    old_diff = engine.backup(kind="diff", repository=1)
    newer_full = engine.backup(kind="full", repository=1)
    later = datetime.now(UTC) + timedelta(days=91)

    removed = engine.expire(repository=1, now=later)

    assert removed == [old_full.label, old_diff.label]
    assert [b.label for b in engine.repositories()[0].backups] == [newer_full.label]


def test_expire_keeps_everything_inside_retention(engine: SqliteEngine) -> None:
    engine.backup(kind="full", repository=1)
    engine.backup(kind="full", repository=1)

    assert engine.expire(repository=1, now=datetime.now(UTC) + timedelta(days=89)) == []


def test_differential_without_full_is_refused(engine: SqliteEngine) -> None:
    with pytest.raises(BackupError, match="needs a full backup"):
        engine.backup(kind="diff", repository=1)


def test_drill_restores_and_matches_the_recorded_fingerprint(
    engine: SqliteEngine, tmp_path: Path
) -> None:
    outcome = engine.backup(kind="full", repository=1)
    write(tmp_path / "live.sqlite3", "after the backup")
    assert outcome.fingerprint is not None

    drill = engine.drill(repository=1, point=outcome.fingerprint, measure_rpo=True)

    assert drill.problems == ()
    assert drill.checks["tables"]["members"]["found"]["rows"] == 500
    assert drill.rpo_seconds is not None
    assert drill.rpo_seconds < 60

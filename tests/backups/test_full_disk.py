"""A full disk under a backup, a restore target or the live database, on real filesystems.

Each test mounts small tmpfs filesystems (we run as root) and fills them; the fixture
unmounts them whatever happens. What must hold: a plain error naming the place and its
free space, a non-zero exit, and nothing partially written or overwritten.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fortresa.backups.config import BackupConfig, load_config
from fortresa.backups.engines.base import BackupError
from fortresa.backups.engines.diskspace import ensure_room, tree_size
from fortresa.backups.engines.sqlite import SqliteEngine
from fortresa.backups.models import BackupAlert, BackupRun
from fortresa.core.env import Env
from fortresa.core.models import AuditEvent
from tests.backups.disks import SmallDisk, fill

KEY = "f" * 40  # pragma: allowlist secret


def sqlite_values(tmp_path: Path, site_a: Path, **extra: str) -> dict[str, str]:
    return {
        "FORTRESA_BACKUP_ENGINE": "sqlite",
        "FORTRESA_BACKUP_SQLITE_SOURCE": str(extra.pop("source", tmp_path / "live.sqlite3")),
        "FORTRESA_BACKUP_SQLITE_DIRS": f"{site_a},{tmp_path / 'site-b'}",
        "FORTRESA_BACKUP_SQLITE_KEY": KEY,
        "FORTRESA_BACKUP_DIR": str(tmp_path / "state"),
        "FORTRESA_BACKUP_DRILL_TABLES": "members",
        **extra,
    }


def config(values: dict[str, str], tmp_path: Path) -> BackupConfig:
    return load_config(Env(environ=values), var_dir=tmp_path)


def add_members(path: Path, count: int, prefix: str) -> None:
    """``count`` rows of about 1 kB of incompressible text each."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE IF NOT EXISTS members (id INTEGER PRIMARY KEY, name TEXT)")
        db.executemany(
            "INSERT INTO members (name) VALUES (?)",
            [(f"{prefix}-{n}-{secrets.token_hex(500)}",) for n in range(count)],
        )


def names(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return [row[0] for row in db.execute("SELECT name FROM members ORDER BY id")]


def listing(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(directory.iterdir())}


def assert_says_full(message: str, place: Path) -> None:
    assert "is full" in message, message
    assert str(place) in message, message
    assert "MB free of" in message, message


def test_backup_to_a_full_disk_fails_plainly_and_keeps_the_existing_backups(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    site_a = small_disk(tmp_path / "site-a", "4m")
    live = tmp_path / "live.sqlite3"
    add_members(live, 20, "kept")
    engine = SqliteEngine(config(sqlite_values(tmp_path, site_a), tmp_path))
    engine.backup(kind="full", repository=1)
    add_members(live, 3000, "too-big")
    fill(site_a)
    before = listing(site_a)

    with pytest.raises(BackupError) as failure:
        engine.backup(kind="full", repository=1)

    assert_says_full(str(failure.value), site_a)
    assert listing(site_a) == before  # no partial or temporary file left behind
    assert engine.verify(repository=1).ok
    restored = engine.restore(target_time=None, repository=1, target=tmp_path / "out")
    assert [n.split("-")[0] for n in names(restored.target / "live.sqlite3")] == ["kept"] * 20


def test_backup_fails_plainly_when_the_snapshot_scratch_disk_is_full(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    scratch = small_disk(tmp_path / "scratch", "1m")
    add_members(tmp_path / "live.sqlite3", 2000, "row")
    values = sqlite_values(tmp_path, tmp_path / "site-a", FORTRESA_BACKUP_SCRATCH_DIR=str(scratch))
    engine = SqliteEngine(config(values, tmp_path))

    with pytest.raises(BackupError) as failure:
        engine.backup(kind="full", repository=1)

    assert_says_full(str(failure.value), scratch)
    assert list(scratch.iterdir()) == []
    assert not any((tmp_path / "site-a").iterdir())


def test_restore_to_a_full_disk_leaves_the_target_as_it_was_found(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    add_members(tmp_path / "live.sqlite3", 2000, "row")
    engine = SqliteEngine(config(sqlite_values(tmp_path, tmp_path / "site-a"), tmp_path))
    engine.backup(kind="full", repository=1)
    small = small_disk(tmp_path / "small", "1m")

    with pytest.raises(BackupError) as into_mount:
        engine.restore(target_time=None, repository=1, target=small)
    with pytest.raises(BackupError) as into_new:
        engine.restore(target_time=None, repository=1, target=small / "new")

    assert_says_full(str(into_mount.value), small)
    assert_says_full(str(into_new.value), small / "new")
    assert "left as it was found" in str(into_mount.value)
    assert list(small.iterdir()) == []  # the empty target is empty again, the new one gone


def test_in_place_restore_on_a_full_disk_leaves_the_live_database_untouched(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    live_disk = small_disk(tmp_path / "live-disk", "8m")
    live = live_disk / "live.sqlite3"
    add_members(live, 2000, "backed-up")
    values = sqlite_values(tmp_path, tmp_path / "site-a", source=str(live))
    engine = SqliteEngine(config(values, tmp_path))
    engine.backup(kind="full", repository=1)
    add_members(live, 5, "after")
    expected = names(live)
    fill(live_disk)
    before = listing(live_disk)

    with pytest.raises(BackupError) as failure:
        engine.restore(target_time=None, repository=1, target=None, in_place=True)

    assert_says_full(str(failure.value), live_disk)
    assert "was not touched" in str(failure.value)
    assert listing(live_disk) == before  # no temporary copy left beside it
    assert names(live) == expected


@pytest.mark.django_db
def test_commands_on_a_full_disk_exit_non_zero_record_the_failure_and_alert(
    tmp_path: Path, small_disk: SmallDisk, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_a = small_disk(tmp_path / "site-a", "1m")
    add_members(tmp_path / "live.sqlite3", 2000, "row")
    for name, value in sqlite_values(tmp_path, site_a).items():
        monkeypatch.setenv(name, value)

    out = StringIO()
    with pytest.raises(CommandError) as backup_failure:
        call_command("backup", "full", "--json", stdout=out)

    assert_says_full(str(backup_failure.value), site_a)
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    runs = {r.repository: r for r in BackupRun.objects.all()}
    assert (runs[1].result, runs[2].result) == ("failed", "succeeded")
    assert_says_full(runs[1].error, site_a)
    alert = BackupAlert.objects.get(kind="backup_failed", subject="repo1")
    assert "is full" in alert.message
    assert alert.message.count("failed") == 1, alert.message  # said once, not twice
    assert list(site_a.iterdir()) == []

    small = small_disk(tmp_path / "small", "1m")
    with pytest.raises(CommandError) as restore_failure:
        call_command("backup", "restore", "--repo", "2", "--target", str(small / "db"))

    assert_says_full(str(restore_failure.value), small / "db")
    assert list(small.iterdir()) == []
    failed = AuditEvent.objects.get(action="backup.restore_failed")
    assert "is full" in failed.details["error"]


def test_room_check_refuses_a_restore_the_disk_cannot_hold(
    tmp_path: Path, small_disk: SmallDisk
) -> None:
    disk = small_disk(tmp_path / "small", "24m")

    ensure_room(disk, needed=1_000_000, what="restore from repo1")
    with pytest.raises(BackupError) as refused:
        ensure_room(disk, needed=40_000_000, what="restore from repo1")
    assert_says_full(str(refused.value), disk)
    assert "Nothing was written" in str(refused.value)
    # A delta restore may overwrite what is already there: that space counts.
    (disk / "old").write_bytes(b"\0" * 20_000_000)
    with pytest.raises(BackupError):
        ensure_room(disk, needed=6_000_000, what="in-place restore")
    ensure_room(disk, needed=6_000_000, what="in-place restore", reusable=tree_size(disk))
    assert list(disk.iterdir()) == [disk / "old"]

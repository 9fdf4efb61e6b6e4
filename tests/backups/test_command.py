"""``fortresa backup ...`` as an operator runs it, with --json."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fortresa.backups.models import BackupAlert, BackupRun, VerifyRun
from fortresa.core.models import AuditEvent
from tests.backups.conftest import Scenario

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("backup", *args, "--json", stdout=out)
    report: dict[str, object] = json.loads(out.getvalue())
    return report


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import sqlite3
    from contextlib import closing

    live = tmp_path / "live.sqlite3"
    with closing(sqlite3.connect(live)) as db, db:
        db.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO members (name) VALUES ('someone')")
    monkeypatch.setenv("FORTRESA_BACKUP_ENGINE", "sqlite")
    monkeypatch.setenv("FORTRESA_BACKUP_SQLITE_SOURCE", str(live))
    monkeypatch.setenv("FORTRESA_BACKUP_SQLITE_DIRS", f"{tmp_path / 'a'},{tmp_path / 'b'}")
    monkeypatch.setenv("FORTRESA_BACKUP_SQLITE_KEY", "s" * 40)
    monkeypatch.setenv("FORTRESA_BACKUP_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("FORTRESA_BACKUP_DRILL_TABLES", "members")
    return tmp_path


@pytest.mark.smoke
def test_full_backs_up_every_repository_and_records_each_run(sqlite_env: Path) -> None:
    report = run("full")

    assert report["ok"] is True
    assert [r.repository for r in BackupRun.objects.order_by("repository")] == [1, 2]
    assert set(BackupRun.objects.values_list("result", flat=True)) == {"succeeded"}


@pytest.mark.smoke
def test_status_lists_repositories_last_backups_and_last_drill(sqlite_env: Path) -> None:
    run("full")
    run("drill", "--repo", "2")

    report = run("status")

    repos = report["repositories"]
    assert isinstance(repos, list)
    assert [r["reachable"] for r in repos] == [True, True]
    assert "full" in repos[0]["last"]
    assert report["last_drill"]["result"] == "succeeded"  # type: ignore[index]


@pytest.mark.smoke
def test_verify_of_a_tampered_repository_exits_non_zero_and_raises_an_alert(
    sqlite_env: Path,
) -> None:
    run("full")
    victim = next((sqlite_env / "b").glob("*.fbk"))
    victim.write_bytes(victim.read_bytes()[:-1] + b"\x00")

    with pytest.raises(CommandError):
        run("verify")

    assert VerifyRun.objects.get(repository=2).result == "failed"
    assert BackupAlert.objects.filter(kind="verify_failed", subject="repo2").exists()


@pytest.mark.smoke
def test_restore_writes_an_audit_event(sqlite_env: Path) -> None:
    run("full")

    report = run("restore", "--target", str(sqlite_env / "restored"))

    assert (Path(str(report["target"])) / "live.sqlite3").exists()
    assert AuditEvent.objects.filter(action="backup.restore").count() == 1


@pytest.mark.smoke
def test_restore_time_without_utc_offset_is_refused(sqlite_env: Path) -> None:
    run("full")

    with pytest.raises(CommandError, match="no UTC offset"):
        run("restore", "--to", "2026-01-01 10:00", "--target", str(sqlite_env / "x"))

    assert not (sqlite_env / "x").exists()


@pytest.mark.smoke
def test_restore_needs_a_target_or_a_confirmed_in_place(sqlite_env: Path) -> None:
    with pytest.raises(CommandError, match="--target"):
        run("restore")
    with pytest.raises(CommandError, match="--yes"):
        run("restore", "--in-place")


@pytest.mark.smoke
def test_restore_of_a_missing_repository_exits_non_zero(sqlite_env: Path) -> None:
    with pytest.raises(CommandError, match="repository 1"):
        run("restore", "--repo", "1", "--target", str(sqlite_env / "x"))


@pytest.mark.smoke
def test_expire_reports_nothing_inside_retention(sqlite_env: Path) -> None:
    run("full")

    assert run("expire")["expired"] == {"1": [], "2": []}


@pytest.mark.slow
def test_pgbackrest_status_over_both_repositories(
    scenario: Scenario, backup_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = Path(backup_env["FORTRESA_BACKUP_DIR"]) / "command.conf"
    for name, value in {**backup_env, "FORTRESA_BACKUP_PGBACKREST_CONF": str(conf)}.items():
        monkeypatch.setenv(name, value)

    report = run("status")

    repos = report["repositories"]
    assert isinstance(repos, list)
    assert [(r["number"], r["reachable"]) for r in repos] == [(1, True), (2, True)]
    assert {"full", "diff"} <= set(repos[0]["last"])
    assert report["wal_archive"]["lag_seconds"] < 300  # type: ignore[index]

"""pgBackRest engine against a real cluster, a posix repository and azurite."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from fortresa.backups.config import BackupConfig
from fortresa.backups.engines.base import BackupError
from fortresa.backups.engines.pgbackrest import PgBackRestEngine, render_config
from tests.backups.conftest import (
    Cluster,
    Scenario,
    names_in,
    scratch_dir,
    start_restored,
    with_values,
)

pytestmark = pytest.mark.slow


def restore_and_read(
    config: BackupConfig, root: Path, scenario: Scenario, **kwargs: object
) -> set[str]:
    engine = PgBackRestEngine(config)
    engine.restore(target_time=scenario.restore_to, target=root / "data", **kwargs)  # type: ignore[arg-type]
    cluster = start_restored(config, root)
    try:
        return names_in(cluster)
    finally:
        cluster.remove()


@pytest.mark.parametrize("repository", [1, 2])
def test_point_in_time_restore_brings_back_only_rows_committed_before_the_time(
    repository: int, scenario: Scenario, pg_config: BackupConfig, backup_root: Path
) -> None:
    root = scratch_dir(backup_root, f"pitr{repository}")

    names = restore_and_read(pg_config, root, scenario, repository=repository)

    assert {f"{scenario.marker}-early", scenario.before} <= names
    assert scenario.after not in names


def test_restore_from_repo2_succeeds_when_repo1_is_gone(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    copy = backup_root / "repo1-gone"
    config = with_values(backup_root, backup_env, FORTRESA_BACKUP_REPO1_PATH=str(copy))
    root = scratch_dir(backup_root, "repo1-gone")

    names = restore_and_read(config, root, scenario, repository=None)

    assert scenario.before in names
    assert scenario.after not in names


def test_no_repository_file_holds_table_data_in_plaintext(
    scenario: Scenario, backup_root: Path, azurite: dict[str, str]
) -> None:
    marker = scenario.marker.encode()
    files = [
        path
        for place in (backup_root / "repo1", Path(azurite["storage"]))
        for path in place.rglob("*")
        if path.is_file()
    ]

    leaking = [path for path in files if marker in path.read_bytes()]

    assert len(files) > 20
    assert leaking == []


def test_verify_passes_on_intact_repositories(scenario: Scenario, pg_config: BackupConfig) -> None:
    engine = PgBackRestEngine(pg_config)

    outcomes = [engine.verify(repository=number) for number in (1, 2)]

    assert [o.problems for o in outcomes] == [(), ()]
    assert all(o.checked > 0 for o in outcomes)


def test_verify_reports_a_corrupted_repository_file(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    copy = backup_root / "repo1-corrupt"
    shutil.copytree(backup_root / "repo1", copy, symlinks=True)
    victim = max((copy / "backup").rglob("*.zst"), key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    subprocess.run(["chown", "-R", "postgres", str(copy)], check=True)
    config = with_values(backup_root, backup_env, FORTRESA_BACKUP_REPO1_PATH=str(copy))

    outcome = PgBackRestEngine(config).verify(repository=1)

    assert not outcome.ok
    assert any("invalid" in problem for problem in outcome.problems), outcome.problems


def test_verify_fails_with_a_wrong_passphrase(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    config = with_values(
        backup_root, backup_env, FORTRESA_BACKUP_REPO2_CIPHER_PASS="not-the-passphrase-at-all"
    )

    outcome = PgBackRestEngine(config).verify(repository=2)

    assert not outcome.ok


def test_restore_with_a_wrong_passphrase_fails_and_leaves_no_target(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    config = with_values(
        backup_root, backup_env, FORTRESA_BACKUP_REPO1_CIPHER_PASS="not-the-passphrase-at-all"
    )
    target = backup_root / "never-created"

    with pytest.raises(BackupError, match="unreachable|no repository"):
        PgBackRestEngine(config).restore(target_time=None, repository=1, target=target)

    assert not target.exists()


def test_restore_refuses_a_time_before_the_oldest_backup(
    scenario: Scenario, pg_config: BackupConfig, backup_root: Path
) -> None:
    target = backup_root / "too-early"
    moment = scenario.first_backup_end - timedelta(hours=1)

    with pytest.raises(BackupError, match="before the oldest backup"):
        PgBackRestEngine(pg_config).restore(target_time=moment, repository=1, target=target)

    assert not target.exists()


def test_restore_refuses_a_time_in_the_future(
    scenario: Scenario, pg_config: BackupConfig, backup_root: Path
) -> None:
    moment = scenario.restore_to + timedelta(days=1)

    with pytest.raises(BackupError, match="in the future"):
        PgBackRestEngine(pg_config).restore(
            target_time=moment, repository=2, target=backup_root / "future"
        )


def test_restore_refuses_a_non_empty_target_and_leaves_it_untouched(
    scenario: Scenario, pg_config: BackupConfig, backup_root: Path
) -> None:
    target = scratch_dir(backup_root, "occupied")
    (target / "keep.txt").write_text("precious")

    with pytest.raises(BackupError, match="not empty"):
        PgBackRestEngine(pg_config).restore(target_time=None, repository=1, target=target)

    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert (target / "keep.txt").read_text() == "precious"


def test_restore_refuses_an_unconfigured_repository(
    scenario: Scenario, pg_config: BackupConfig, backup_root: Path
) -> None:
    with pytest.raises(BackupError, match="repository 3 is not configured"):
        PgBackRestEngine(pg_config).restore(
            target_time=None, repository=3, target=backup_root / "repo3"
        )


def test_in_place_restore_refuses_while_postgresql_runs(
    scenario: Scenario, pg_config: BackupConfig, pg_cluster: Cluster
) -> None:
    with pytest.raises(BackupError, match="PostgreSQL is running"):
        PgBackRestEngine(pg_config).restore(
            target_time=None, repository=1, target=None, in_place=True
        )

    assert pg_cluster.sql("SELECT count(*) FROM members") != ""


def test_expire_with_the_clock_91_days_ahead_removes_the_older_full_backup(
    scenario: Scenario, backup_env: dict[str, str], backup_root: Path
) -> None:
    copy = backup_root / "repo1-expire"
    shutil.copytree(backup_root / "repo1", copy, symlinks=True)
    subprocess.run(["chown", "-R", "postgres", str(copy)], check=True)
    # repo1 only: 91 days on, azurite's 90-day test certificate has expired.
    now = with_values(
        backup_root,
        backup_env,
        FORTRESA_BACKUP_REPO1_PATH=str(copy),
        FORTRESA_BACKUP_REPOSITORIES="1",
    )
    later = with_values(
        backup_root,
        backup_env,
        FORTRESA_BACKUP_REPO1_PATH=str(copy),
        FORTRESA_BACKUP_REPOSITORIES="1",
        FORTRESA_BACKUP_PGBACKREST="faketime -f +91d pgbackrest",
    )
    fulls = sorted(
        b.label for b in PgBackRestEngine(now).repositories()[0].backups if b.kind == "full"
    )

    untouched = PgBackRestEngine(now).expire(repository=1)
    removed = PgBackRestEngine(later).expire(repository=1)

    assert untouched == []
    assert fulls[0] in removed
    assert fulls[-1] not in removed
    remaining = {b.label for b in PgBackRestEngine(now).repositories()[0].backups}
    assert remaining == {fulls[-1]}


def test_configuration_encrypts_and_compresses_every_repository(pg_config: BackupConfig) -> None:
    assert pg_config.pgbackrest is not None

    text = render_config(pg_config.pgbackrest, retention_days=90)

    for number in (1, 2):
        assert f"repo{number}-cipher-type=aes-256-cbc" in text
        assert f"repo{number}-retention-full-type=time" in text
        assert f"repo{number}-retention-full=90" in text
    assert "compress-type=zst" in text
    assert "repo2-type=azure" in text

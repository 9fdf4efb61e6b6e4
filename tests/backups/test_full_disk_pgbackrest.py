"""pgBackRest with its repository, then a restore target, on a full filesystem.

A cluster of its own (the shared session cluster archives to repositories that must
stay healthy) archives to one posix repository on a small tmpfs. With the repository
full, PostgreSQL's archiver cannot push WAL, and pgBackRest's backup waits its 60 s
archive timeout for the segment before the backup's start: this test takes over a
minute, mostly waiting.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fortresa.backups import services
from fortresa.backups.config import BackupConfig
from fortresa.backups.engines.base import BackupError
from fortresa.backups.engines.pgbackrest import PgBackRestEngine, render_postgresql_settings
from fortresa.backups.models import BackupAlert
from tests.backups.conftest import PG_BIN, Cluster, as_postgres, config_from
from tests.backups.disks import fill, mount_tmpfs, unmount
from tests.ports import free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@dataclass(frozen=True)
class SmallCluster:
    cluster: Cluster
    config: BackupConfig
    repo: Path  # a 64 MB tmpfs
    small: Path  # an 8 MB tmpfs, too small for a restore


@pytest.fixture
def small_cluster() -> Iterator[SmallCluster]:
    root = Path(tempfile.mkdtemp(prefix="fortresa-full-disk-", dir="/tmp"))
    root.chmod(0o755)
    shutil.chown(root, "postgres")
    cluster = Cluster(root=root, data=root / "data", socket_dir=root / "sock", port=free_port())
    cluster.socket_dir.mkdir()
    shutil.chown(cluster.socket_dir, "postgres")
    repo, small = root / "repo1", root / "small"
    pg_ctl = str(PG_BIN / "pg_ctl")
    mounted: list[Path] = []
    try:
        for where, size in ((repo, "64m"), (small, "8m")):
            mount_tmpfs(where, size)
            mounted.append(where)
        shutil.chown(small, "postgres")
        values = {
            "FORTRESA_BACKUP_ENGINE": "pgbackrest",
            "FORTRESA_BACKUP_DIR": str(root / "state"),
            "FORTRESA_BACKUP_REPOSITORIES": "1",
            "FORTRESA_BACKUP_REPO1_PATH": str(repo),
            "FORTRESA_BACKUP_REPO1_CIPHER_PASS": secrets.token_urlsafe(24),
            "FORTRESA_BACKUP_PG_DATA": str(cluster.data),
            "FORTRESA_BACKUP_PG_PORT": str(cluster.port),
            "FORTRESA_BACKUP_PG_SOCKET_DIR": str(cluster.socket_dir),
            "FORTRESA_BACKUP_PG_DATABASE": "drill",
            "FORTRESA_BACKUP_PG_BINDIR": str(PG_BIN),
            "FORTRESA_BACKUP_DRILL_TABLES": "members",
            "FORTRESA_BACKUP_ARCHIVE_TIMEOUT": "3",
        }
        config = config_from(root, values)
        assert config.pgbackrest is not None
        PgBackRestEngine(config).write_config()
        as_postgres(str(PG_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "--no-sync")
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {cluster.port}\nlisten_addresses = ''\n"
                f"unix_socket_directories = '{cluster.socket_dir}'\nfsync = off\n"
                + render_postgresql_settings(config.pgbackrest)
            )
        as_postgres(pg_ctl, "-D", str(cluster.data), "-l", str(root / "log"), "-w", "start")
        cluster.sql("CREATE DATABASE drill", database="postgres")
        cluster.sql("CREATE TABLE members (id serial PRIMARY KEY, name text NOT NULL)")
        yield SmallCluster(cluster, config, repo, small)
    finally:
        as_postgres(pg_ctl, "-D", str(cluster.data), "-m", "immediate", "stop", check=False)
        for where in reversed(mounted):
            unmount(where)
        shutil.rmtree(root, ignore_errors=True)


def test_backup_to_a_full_repository_fails_is_recorded_alerts_and_keeps_the_old_backup(
    small_cluster: SmallCluster,
) -> None:
    cluster, config, repo, small = (
        small_cluster.cluster,
        small_cluster.config,
        small_cluster.repo,
        small_cluster.small,
    )
    cluster.insert("members", "name", "before-the-disk-filled")
    first = services.run_backup(kind="full", repository=1, config=config)
    assert first.result == "succeeded", first.error
    cluster.sql("INSERT INTO members (name) SELECT md5(g::text) FROM generate_series(1, 20000) g")
    fill(repo)

    failed = services.run_backup(kind="full", repository=1, config=config)

    assert failed.result == "failed"
    assert "is full" in failed.error, failed.error
    assert str(repo) in failed.error
    assert "MB free of" in failed.error
    alert = BackupAlert.objects.get(kind="backup_failed", subject="repo1", resolved_at=None)
    assert "is full" in alert.message
    engine = PgBackRestEngine(config)
    assert [b.label for b in engine.repositories()[0].backups] == [first.label]
    verified = services.verify_repository(repository=1, config=config)
    assert verified.result == "succeeded", verified.problems

    # A restore whose target is on a full disk: a plain error, the target left empty.
    with pytest.raises(BackupError) as restore_failure:
        engine.restore(target_time=None, repository=1, target=small)
    message = str(restore_failure.value)
    assert "is full" in message, message
    assert str(small) in message
    assert list(small.iterdir()) == []

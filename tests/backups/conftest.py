"""A real PostgreSQL cluster archiving through pgBackRest to a posix repository and to
Azure Blob storage served by azurite over HTTPS, shared by the backup tests.

The session scenario takes the backups once; tests that damage a repository work on
copies. Everything lives under one /tmp directory readable by the postgres user.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fortresa.backups.config import BackupConfig, load_config
from fortresa.backups.engines.pgbackrest import PgBackRestEngine, render_postgresql_settings
from fortresa.backups.engines.pgcluster import ScratchCluster
from fortresa.core.env import Env
from tests.backups.azurite import ACCOUNT, ACCOUNT_KEY, create_container
from tests.backups.disks import small_disk
from tests.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
# Short, so a drill waiting for its WAL to be archived waits seconds, not a minute.
TEST_ARCHIVE_TIMEOUT = 3


def as_postgres(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, check=check
    )


def azurite_binary() -> str:
    candidates = [
        REPO_ROOT / "node_modules" / ".bin" / "azurite-blob",
        Path(os.environ.get("FORTRESA_AZURITE_BIN", "/nonexistent")),
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    pytest.fail("azurite is missing: run `make node-deps` (npm ci) or set FORTRESA_AZURITE_BIN")


@pytest.fixture(scope="session")
def backup_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="fortresa-backups-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def azurite(backup_root: Path) -> Iterator[dict[str, str]]:
    from fortresa.hardening.tls import ensure_local_ca

    tls = ensure_local_ca(backup_root / "tls", names=("localhost", "127.0.0.1")).files
    (backup_root / "tls").chmod(0o755)
    tls.ca_cert.chmod(0o644)
    port = free_port()
    storage = backup_root / "azurite"
    storage.mkdir()
    process = subprocess.Popen(
        [
            azurite_binary(),
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--location",
            str(storage),
            "--cert",
            str(tls.server_cert),
            "--key",
            str(tls.server_key),
            "--disableTelemetry",
            "--skipApiVersionCheck",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                create_container(port, "fortresa", str(tls.ca_cert))
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        yield {"port": str(port), "ca": str(tls.ca_cert), "storage": str(storage)}
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Cluster:
    root: Path
    data: Path
    socket_dir: Path
    port: int

    def sql(self, statement: str, database: str = "drill") -> str:
        result = as_postgres(
            str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", str(self.socket_dir), "-p", str(self.port), "-d", database, "-c", statement,
        )  # fmt: skip
        return result.stdout.strip()

    def insert(self, table: str, column: str, value: str) -> None:
        # Test-made identifiers and hex markers only.
        self.sql(f"INSERT INTO {table} ({column}) VALUES ('{value}')")  # noqa: S608


def environment(root: Path, cluster: Cluster, azure: dict[str, str]) -> dict[str, str]:
    env = Env(environ={}, secrets_dir=root / "secrets", generate_secrets=True)
    return {
        "FORTRESA_BACKUP_ENGINE": "pgbackrest",
        "FORTRESA_BACKUP_DIR": str(root / "state"),
        "FORTRESA_BACKUP_PG_DATA": str(cluster.data),
        "FORTRESA_BACKUP_PG_PORT": str(cluster.port),
        "FORTRESA_BACKUP_PG_SOCKET_DIR": str(cluster.socket_dir),
        "FORTRESA_BACKUP_PG_DATABASE": "drill",
        "FORTRESA_BACKUP_PG_BINDIR": str(PG_BIN),
        "FORTRESA_BACKUP_DRILL_TABLES": "members,bookings",
        "FORTRESA_BACKUP_ARCHIVE_TIMEOUT": str(TEST_ARCHIVE_TIMEOUT),
        "FORTRESA_BACKUP_REPO1_PATH": str(root / "repo1"),
        "FORTRESA_BACKUP_REPO1_CIPHER_PASS": env.secret("FORTRESA_BACKUP_REPO1_CIPHER_PASS"),
        "FORTRESA_BACKUP_REPO2_CIPHER_PASS": env.secret("FORTRESA_BACKUP_REPO2_CIPHER_PASS"),
        "FORTRESA_BACKUP_REPO2_AZURE_ACCOUNT": ACCOUNT,
        "FORTRESA_BACKUP_REPO2_AZURE_KEY": ACCOUNT_KEY,
        "FORTRESA_BACKUP_REPO2_AZURE_URI_STYLE": "path",
        "FORTRESA_BACKUP_REPO2_STORAGE_HOST": "localhost",
        "FORTRESA_BACKUP_REPO2_STORAGE_PORT": azure["port"],
        "FORTRESA_BACKUP_REPO2_STORAGE_CA_FILE": azure["ca"],
    }


def config_from(root: Path, values: dict[str, str]) -> BackupConfig:
    return load_config(Env(environ=values, secrets_dir=None), var_dir=root)


@pytest.fixture(scope="session")
def pg_cluster(backup_root: Path, azurite: dict[str, str]) -> Iterator[Cluster]:
    root = backup_root / "cluster"
    root.mkdir()
    shutil.chown(root, "postgres")
    cluster = Cluster(root=root, data=root / "data", socket_dir=root / "sock", port=free_port())
    cluster.socket_dir.mkdir()
    shutil.chown(cluster.socket_dir, "postgres")
    as_postgres(str(PG_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "--no-sync")
    config = config_from(backup_root, environment(backup_root, cluster, azurite))
    engine = PgBackRestEngine(config)
    engine.write_config()
    assert config.pgbackrest is not None
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {cluster.port}\nlisten_addresses = ''\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\nfsync = off\n"
            + render_postgresql_settings(config.pgbackrest)
        )
    as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(cluster.data), "-l", str(root / "log"), "-w", "start"
    )
    try:
        cluster.sql("CREATE DATABASE drill", database="postgres")
        cluster.sql(
            "CREATE TABLE members (id serial PRIMARY KEY, name text NOT NULL);"
            "CREATE TABLE bookings (id serial PRIMARY KEY, note text NOT NULL)"
        )
        yield cluster
    finally:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "stop")


@pytest.fixture(scope="session")
def backup_env(backup_root: Path, pg_cluster: Cluster, azurite: dict[str, str]) -> dict[str, str]:
    return environment(backup_root, pg_cluster, azurite)


@pytest.fixture(scope="session")
def pg_config(backup_root: Path, backup_env: dict[str, str]) -> BackupConfig:
    return config_from(backup_root, backup_env)


@dataclass(frozen=True)
class Scenario:
    """Rows committed before ``restore_to`` and rows committed after it."""

    marker: str
    before: str
    after: str
    restore_to: datetime
    first_backup_end: datetime


def wait_archived(cluster: Cluster) -> None:
    lsn = cluster.sql("SELECT pg_current_wal_lsn()")
    cluster.sql("SELECT pg_switch_wal()")
    needed = cluster.sql(f"SELECT pg_walfile_name('{lsn}')")
    deadline = time.monotonic() + 60
    while cluster.sql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < needed:
        assert time.monotonic() < deadline, "WAL was not archived"
        time.sleep(0.2)


@pytest.fixture(scope="session")
def scenario(pg_cluster: Cluster, pg_config: BackupConfig) -> Scenario:
    engine = PgBackRestEngine(pg_config)
    marker = f"MARKER-{secrets.token_hex(8)}"
    before, after = f"{marker}-before", f"{marker}-after"
    pg_cluster.insert("members", "name", f"{marker}-early")
    engine.backup(kind="full", repository=1)
    engine.backup(kind="full", repository=2)
    first_end = max(s.backups[0].finished_at for s in engine.repositories())
    pg_cluster.insert("members", "name", before)
    engine.backup(kind="diff", repository=1)
    pg_cluster.insert("bookings", "note", before)
    time.sleep(1.1)
    restore_to = datetime.now(UTC)
    time.sleep(1.1)
    pg_cluster.insert("members", "name", after)
    wait_archived(pg_cluster)
    # A second full in repo1 lets retention expire the first one.
    engine.backup(kind="full", repository=1)
    return Scenario(marker, before, after, restore_to, first_end)


def start_restored(config: BackupConfig, root: Path) -> ScratchCluster:
    assert config.pgbackrest is not None
    cluster = ScratchCluster(config.pgbackrest, root, free_port())
    cluster.start()
    return cluster


def names_in(cluster: ScratchCluster) -> set[str]:
    assert cluster.config is not None
    result = as_postgres(
        str(PG_BIN / "psql"), "-X", "-A", "-t", "-h", str(cluster.socket_dir),
        "-p", str(cluster.port), "-d", "drill",
        "-c", "SELECT name FROM members UNION ALL SELECT note FROM bookings",
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{result.stderr} / server log: {cluster.log_tail()}"
    return set(result.stdout.split())


def with_values(root: Path, values: dict[str, str], **changes: str) -> BackupConfig:
    """A variant configuration in its own pgBackRest file, so the live cluster's
    archive_command keeps using the real one."""
    conf = root / "variants" / f"{secrets.token_hex(4)}.conf"
    return config_from(root, {**values, "FORTRESA_BACKUP_PGBACKREST_CONF": str(conf), **changes})


def scratch_dir(backup_root: Path, name: str) -> Path:
    path = backup_root / "scratch-tests" / f"{name}-{secrets.token_hex(4)}"
    path.mkdir(parents=True)
    shutil.chown(path, "postgres")
    path.parent.chmod(0o755)
    return path


__all__ = ["Cluster", "Scenario", "replace", "small_disk"]

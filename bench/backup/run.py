"""Full backup and restore of a ~1 GB PostgreSQL cluster with Fortresa's pgBackRest
engine, beside ``cp -a`` of the data directory and ``pg_basebackup``, from one run.

Run as root on a machine with PostgreSQL 15 and pgBackRest (``make test`` installs them):

    FORTRESA_PROFILE=test .venv/bin/python bench/backup/run.py [--megabytes 1024]

It prints seconds and ratios; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortresa.settings")
django.setup()

from fortresa.backups.config import load_config  # noqa: E402
from fortresa.backups.engines.pgbackrest import (  # noqa: E402
    PgBackRestEngine,
    render_postgresql_settings,
)
from fortresa.core.env import Env  # noqa: E402

BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*argv: str) -> str:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, check=True
    ).stdout


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=int, default=1024)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fortresa-bench-", dir="/tmp"))
    root.chmod(0o755)
    shutil.chown(root, "postgres")
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    shutil.chown(sock, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    values = {
        "FORTRESA_BACKUP_ENGINE": "pgbackrest",
        "FORTRESA_BACKUP_DIR": str(root / "state"),
        "FORTRESA_BACKUP_REPOSITORIES": "1",
        "FORTRESA_BACKUP_REPO1_PATH": str(root / "repo1"),
        "FORTRESA_BACKUP_REPO1_CIPHER_PASS": secrets.token_urlsafe(32),
        "FORTRESA_BACKUP_PG_DATA": str(data),
        "FORTRESA_BACKUP_PG_PORT": str(port),
        "FORTRESA_BACKUP_PG_SOCKET_DIR": str(sock),
        "FORTRESA_BACKUP_PG_DATABASE": "postgres",
    }
    config = load_config(Env(environ=values), var_dir=root)
    assert config.pgbackrest is not None
    engine = PgBackRestEngine(config)
    engine.write_config()
    try:
        as_postgres(str(BIN / "initdb"), "-D", str(data), "-A", "trust")
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {port}\nlisten_addresses = ''\nunix_socket_directories = '{sock}'\n"
                "max_wal_size = 4GB\n" + render_postgresql_settings(config.pgbackrest)
            )
        as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start")
        rows = args.megabytes * 1024 * 1024 // 220
        print(f"filling about {args.megabytes} MB ({rows} rows)...")
        as_postgres(
            str(BIN / "psql"), "-h", str(sock), "-p", str(port), "-d", "postgres", "-c",
            "CREATE TABLE filler AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) "  # noqa: S608
            f"|| md5((g * 13)::text) AS body FROM generate_series(1, {rows}) g; CHECKPOINT",
        )  # fmt: skip
        size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
        print(f"data directory: {size / 1e6:.0f} MB")
        results = {
            "cp -a": timed(
                lambda: subprocess.run(["cp", "-a", str(data), str(root / "cp")], check=True)
            ),
            "pg_basebackup": timed(
                lambda: as_postgres(
                    str(BIN / "pg_basebackup"),
                    "-h",
                    str(sock),
                    "-p",
                    str(port),
                    "-D",
                    str(root / "basebackup"),
                    "-X",
                    "fetch",
                    "--checkpoint=fast",
                )  # fmt: skip
            ),
            "pgbackrest full (zstd, aes-256)": timed(
                lambda: engine.backup(kind="full", repository=1)
            ),
            "pgbackrest restore": timed(
                lambda: engine.restore(target_time=None, repository=1, target=root / "restored")
            ),
        }
        base = results["cp -a"]
        repo = sum(f.stat().st_size for f in (root / "repo1").rglob("*") if f.is_file())
        print(f"repository size: {repo / 1e6:.0f} MB ({repo / size:.2f} of the data directory)")
        for name, seconds in results.items():
            print(f"{name:34s} {seconds:8.2f} s   {seconds / base:6.2f} x cp -a")
    finally:
        stop = [str(BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]
        subprocess.run(["runuser", "-u", "postgres", "--", *stop], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

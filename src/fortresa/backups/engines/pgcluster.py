"""PostgreSQL as the pgBackRest engine sees it: commands run as the cluster's OS user,
fingerprints of key tables, the WAL archiver's progress, and throwaway drill clusters.

Everything goes through ``psql``/``pg_ctl``/``pg_amcheck`` run as that OS user over a
Unix socket, so a drill cluster can listen on a private socket directory (mode 0700)
and nobody else can reach the restored copy of members' data while it runs.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from fortresa.backups.config import PgBackRestConfig
from fortresa.backups.engines.base import ArchiveState, BackupError, Fingerprint

_TABLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SEGMENTS_PER_LOG = 0x100  # 16 MiB segments


def as_cluster_user(config: PgBackRestConfig, argv: list[str]) -> list[str]:
    """Prefix ``argv`` so it runs as the cluster's OS user (pgBackRest requires it)."""
    if getpass.getuser() == config.run_as:
        return argv
    if os.geteuid() == 0:
        return ["runuser", "-u", config.run_as, "--", *argv]
    return ["sudo", "-n", "-u", config.run_as, "--", *argv]


def pg_tool(config: PgBackRestConfig, name: str) -> str:
    return str(Path(config.pg_bindir) / name) if config.pg_bindir else name


def run_checked(argv: list[str], *, stdin: str | None = None, timeout: float = 600) -> str:
    try:
        completed = subprocess.run(  # noqa: S603 - argv built from configuration, no shell
            argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{argv[0]} could not run: {exc}") from exc
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        raise BackupError(f"{' '.join(argv[-3:])} failed: {detail}")
    return completed.stdout


def psql(config: PgBackRestConfig, script: str, *, socket_dir: str, port: int) -> list[str]:
    argv = [
        pg_tool(config, "psql"),
        "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
        "-h", socket_dir, "-p", str(port), "-U", config.run_as, "-d", config.pg_database,
        "-f", "-",
    ]  # fmt: skip
    output = run_checked(as_cluster_user(config, argv), stdin=script, timeout=3600)
    return [line for line in output.splitlines() if line]


def _checked_tables(tables: tuple[str, ...]) -> tuple[str, ...]:
    for table in tables:
        if not _TABLE.match(table):
            raise BackupError(f"drill table name {table!r} is not a plain table name")
    return tables


def _table_queries(tables: tuple[str, ...]) -> str:
    return "".join(
        # Names are checked against _TABLE before they get here.
        f"SELECT 'R|{name}|' || count(*) || '|' || "  # noqa: S608
        f"md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
        f'FROM "{name}" AS t;\n'
        for name in tables
    )


def _parse_tables(lines: list[str]) -> dict[str, dict[str, object]]:
    tables: dict[str, dict[str, object]] = {}
    for line in lines:
        if line.startswith("R|"):
            _, name, rows, checksum = line.split("|")
            tables[name] = {"rows": int(rows), "checksum": checksum}
    return tables


def _epoch(value: str) -> datetime:
    return datetime.fromtimestamp(float(Decimal(value)), tz=UTC)


def live_fingerprint(config: PgBackRestConfig, tables: tuple[str, ...]) -> Fingerprint:
    """Fingerprint the live database at a moment a point-in-time restore can reach.

    SHARE locks wait for every open writer of the key tables and hold off new ones, so
    the state read is exactly the state at ``taken_at``. Taking an xid makes the commit
    write a WAL record after ``taken_at``, which recovery needs to stop at that time.
    """
    names = _checked_tables(tables)
    quoted = ", ".join(f'"{name}"' for name in names)
    script = (
        "BEGIN ISOLATION LEVEL REPEATABLE READ;\n"
        f"LOCK TABLE {quoted} IN SHARE MODE;\n"
        "SELECT 'T|' || extract(epoch FROM clock_timestamp());\n"
        f"{_table_queries(names)}"
        "SELECT 'X|' || pg_current_xact_id();\n"
        "COMMIT;\n"
        "SELECT 'L|' || pg_current_wal_insert_lsn();\n"
    )
    lines = psql(config, script, socket_dir=config.pg_socket_dir, port=config.pg_port)
    tagged = {line[0]: line[2:] for line in lines if line[:2] in ("T|", "L|")}
    return Fingerprint(taken_at=_epoch(tagged["T"]), tables=_parse_tables(lines), lsn=tagged["L"])


def cluster_fingerprint(
    config: PgBackRestConfig, tables: tuple[str, ...], *, socket_dir: str, port: int
) -> dict[str, dict[str, object]]:
    script = _table_queries(_checked_tables(tables))
    return _parse_tables(psql(config, script, socket_dir=socket_dir, port=port))


def _segment_number(name: str) -> int:
    return int(name[8:16], 16) * _SEGMENTS_PER_LOG + int(name[16:24], 16)


def archive_state(config: PgBackRestConfig) -> ArchiveState:
    """Seconds since the oldest finished WAL segment still waiting to be archived."""
    script = (
        "SELECT coalesce(last_archived_wal, '') || '|' ||"
        " coalesce(extract(epoch FROM last_archived_time), 0) || '|' ||"
        " coalesce(extract(epoch FROM last_failed_time), 0) || '|' ||"
        " pg_walfile_name(pg_current_wal_lsn()) || '|' || extract(epoch FROM now()) || '|' ||"
        " coalesce(extract(epoch FROM stats_reset), extract(epoch FROM now()))"
        " FROM pg_stat_archiver;\n"
    )
    line = psql(config, script, socket_dir=config.pg_socket_dir, port=config.pg_port)[0]
    archived, archived_at, failed_at, current, now, reset = line.split("|")
    return evaluate_archive(
        archived_wal=archived,
        archived_at=float(archived_at),
        failed_at=float(failed_at),
        current_wal=current,
        now=float(now),
        since=float(reset),
    )


def evaluate_archive(
    *,
    archived_wal: str,
    archived_at: float,
    failed_at: float,
    current_wal: str,
    now: float,
    since: float,
) -> ArchiveState:
    failing = failed_at > archived_at
    done = _segment_number(archived_wal) if archived_wal else -1
    pending = done < _segment_number(current_wal) - 1
    if not pending and not failing:
        return ArchiveState(lag_seconds=0.0)
    reference = archived_at if archived_at else since
    detail = f"last archived {archived_wal or 'nothing'}, writing {current_wal}"
    return ArchiveState(lag_seconds=max(0.0, now - reference), failing=failing, detail=detail)


def wait_archived(config: PgBackRestConfig, lsn: str, *, timeout: float) -> datetime:
    """Wait until the WAL segment holding ``lsn`` is archived; return when it was."""
    if not re.fullmatch(r"[0-9A-F]+/[0-9A-F]+", lsn):
        raise BackupError(f"not an LSN: {lsn!r}")
    deadline = time.monotonic() + timeout
    # The LSN was matched against its syntax above.
    script = (
        f"SELECT pg_walfile_name('{lsn}') || '|' || coalesce(last_archived_wal, '') || '|'"  # noqa: S608
        " || coalesce(extract(epoch FROM last_archived_time), 0) FROM pg_stat_archiver;\n"
    )
    while True:
        line = psql(config, script, socket_dir=config.pg_socket_dir, port=config.pg_port)[0]
        needed, archived, archived_at = line.split("|")
        if archived and _segment_number(archived) >= _segment_number(needed):
            return _epoch(archived_at)
        if time.monotonic() > deadline:
            raise BackupError(f"WAL segment {needed} was not archived within {timeout:.0f} s")
        time.sleep(0.5)


@dataclass
class ScratchCluster:
    """A restored data directory started privately for checks, then removed."""

    config: PgBackRestConfig
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def start(self) -> None:
        for name in ("sock",):
            (self.root / name).mkdir(mode=0o700, exist_ok=True)
        (self.root / "pg_hba.conf").write_text("local all all trust\n")
        (self.root / "pg_ident.conf").write_text("")
        (self.root / "drill.conf").write_text(
            f"data_directory = '{self.data}'\n"
            f"hba_file = '{self.root / 'pg_hba.conf'}'\n"
            f"ident_file = '{self.root / 'pg_ident.conf'}'\n"
            f"port = {self.port}\n"
            "listen_addresses = ''\n"
            f"unix_socket_directories = '{self.socket_dir}'\n"
            "archive_mode = off\n"
            "hot_standby = off\n"
            "max_connections = 20\n"
        )
        if os.geteuid() == 0:
            shutil.chown(self.root, self.config.run_as)
            for child in self.root.iterdir():
                shutil.chown(child, self.config.run_as)
        argv = [
            pg_tool(self.config, "pg_ctl"), "-D", str(self.data), "-w", "-t", "3600",
            "-l", str(self.root / "server.log"),
            "-o", f"-c config_file={self.root / 'drill.conf'}", "start",
        ]  # fmt: skip
        try:
            run_checked(as_cluster_user(self.config, argv), timeout=3700)
        except BackupError as exc:
            raise BackupError(f"restored cluster did not start: {self.log_tail()}") from exc
        self._wait_promoted(timeout=3600)

    def _wait_promoted(self, *, timeout: float) -> None:
        """pg_ctl returns while recovery still runs; wait until it ended in a promotion."""
        deadline = time.monotonic() + timeout
        argv = [
            pg_tool(self.config, "psql"), "-X", "-A", "-t", "-h", str(self.socket_dir),
            "-p", str(self.port), "-U", self.config.run_as, "-d", "postgres",
            "-c", "SELECT pg_is_in_recovery()",
        ]  # fmt: skip
        while True:
            answer = subprocess.run(  # noqa: S603 - fixed argv
                as_cluster_user(self.config, argv), capture_output=True, text=True, check=False
            )
            if answer.returncode == 0 and answer.stdout.strip() == "f":
                return
            if not (self.data / "postmaster.pid").exists():
                raise BackupError(f"restored cluster stopped during recovery: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise BackupError(f"recovery did not finish in {timeout:.0f} s")
            time.sleep(0.3)

    def log_tail(self) -> str:
        try:
            lines = (self.root / "server.log").read_text(errors="replace").splitlines()
        except OSError:
            return "no server log"
        interesting = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return " | ".join((interesting or lines)[-3:])

    def amcheck(self) -> str:
        argv = [
            pg_tool(self.config, "pg_amcheck"), "-h", str(self.socket_dir),
            "-p", str(self.port), "-U", self.config.run_as, "--all", "--install-missing",
        ]  # fmt: skip
        return run_checked(as_cluster_user(self.config, argv), timeout=3600)

    def fingerprint(self, tables: tuple[str, ...]) -> dict[str, dict[str, object]]:
        return cluster_fingerprint(
            self.config, tables, socket_dir=str(self.socket_dir), port=self.port
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            argv = [pg_tool(self.config, "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            subprocess.run(  # noqa: S603 - fixed argv
                as_cluster_user(self.config, argv), capture_output=True, timeout=120, check=False
            )

    def remove(self) -> None:
        self.stop()
        if os.geteuid() == 0 or getpass.getuser() == self.config.run_as:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            subprocess.run(  # noqa: S603 - fixed argv
                as_cluster_user(self.config, ["rm", "-rf", "--", str(self.root)]),
                capture_output=True,
                timeout=600,
                check=False,
            )

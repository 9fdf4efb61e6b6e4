"""Backup configuration, read from ``FORTRESA_BACKUP_*`` variables when asked for.

Nothing is read at import time: the command, the tasks and the tests each call
``load_config()`` (or build an ``Env`` over their own mapping), so a test can point the
engines at its own cluster, repositories and secrets.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from fortresa.core.env import ConfigError, Env

DEFAULT_DRILL_TABLES = (
    "accounts_user",
    "clubs_club",
    "clubs_court",
    "clubs_membership",
    "bookings_booking",
    "core_auditevent",
)
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
REPOSITORY_TYPES = ("posix", "azure", "s3")


def parse_duration(name: str, raw: str) -> timedelta:
    """``90s``, ``10m``, ``6h``, ``1d`` or a number of seconds."""
    match = _DURATION.match(raw)
    if match is None or int(match.group(1)) == 0:
        raise ConfigError(f"{name} must be a duration such as 10m, 6h or 1d, got {raw!r}")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class Repository:
    """One pgBackRest repository (``repoN``)."""

    number: int
    type: str
    path: str
    cipher_pass: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"repo{self.number}"


@dataclass(frozen=True)
class Schedule:
    full_every: timedelta
    diff_every: timedelta
    incr_every: timedelta
    retention_days: int


@dataclass(frozen=True)
class PgBackRestConfig:
    stanza: str
    config_path: Path
    pg_path: Path
    pg_port: int
    pg_socket_dir: str
    pg_database: str
    pg_bindir: str
    run_as: str
    command: tuple[str, ...]
    log_path: Path
    lock_path: Path
    scratch_dir: Path
    repositories: tuple[Repository, ...]
    archive_timeout: int
    process_max: int


@dataclass(frozen=True)
class SqliteConfig:
    source: Path
    destinations: tuple[Path, ...]
    key: str
    scratch_dir: Path


@dataclass(frozen=True)
class BackupConfig:
    engine: str
    schedule: Schedule
    drill_tables: tuple[str, ...]
    wal_lag_alert: timedelta
    pgbackrest: PgBackRestConfig | None
    sqlite: SqliteConfig | None


def default_env() -> tuple[Env, Path]:
    var_dir = Path(settings.VAR_DIR)
    production = settings.PROFILE == "production"
    env = Env(
        secrets_dir=None if production else var_dir / "secrets", generate_secrets=not production
    )
    return env, var_dir


def load_config(env: Env | None = None, var_dir: Path | None = None) -> BackupConfig:
    """Read the backup configuration; the engine defaults to the database in use."""
    if env is None or var_dir is None:
        env, var_dir = default_env()
    database = settings.DATABASES["default"]
    is_sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
    engine = env.choice(
        "FORTRESA_BACKUP_ENGINE", ("pgbackrest", "sqlite"), "sqlite" if is_sqlite else "pgbackrest"
    )
    schedule = schedule_from(env)
    tables = tuple(env.items("FORTRESA_BACKUP_DRILL_TABLES", list(DEFAULT_DRILL_TABLES)))
    lag = parse_duration(
        "FORTRESA_BACKUP_WAL_LAG_ALERT", env.text("FORTRESA_BACKUP_WAL_LAG_ALERT", "5m")
    )
    backups_dir = Path(env.text("FORTRESA_BACKUP_DIR", str(var_dir / "backups")))
    return BackupConfig(
        engine=engine,
        schedule=schedule,
        drill_tables=tables,
        wal_lag_alert=lag,
        pgbackrest=_pgbackrest(env, backups_dir, str(database.get("NAME") or "postgres"))
        if engine == "pgbackrest"
        else None,
        sqlite=_sqlite(env, backups_dir, str(database.get("NAME") or ""))
        if engine == "sqlite"
        else None,
    )


def schedule_from(env: Env) -> Schedule:
    def duration(name: str, default: str) -> timedelta:
        return parse_duration(name, env.text(name, default))

    return Schedule(
        full_every=duration("FORTRESA_BACKUP_FULL_EVERY", "6h"),
        diff_every=duration("FORTRESA_BACKUP_DIFF_EVERY", "1h"),
        incr_every=duration("FORTRESA_BACKUP_INCR_EVERY", "10m"),
        retention_days=env.integer("FORTRESA_BACKUP_RETENTION_DAYS", 90, minimum=1),
    )


def _default_bindir() -> str:
    for version in (17, 16, 15):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin")
        if candidate.is_dir():
            return str(candidate)
    return ""


def _pgbackrest(env: Env, backups_dir: Path, database: str) -> PgBackRestConfig:
    count = env.integer("FORTRESA_BACKUP_REPOSITORIES", 2, minimum=1)
    repositories = tuple(_repository(env, number, backups_dir) for number in range(1, count + 1))
    return PgBackRestConfig(
        stanza=env.text("FORTRESA_BACKUP_STANZA", "fortresa"),
        config_path=Path(
            env.text("FORTRESA_BACKUP_PGBACKREST_CONF", str(backups_dir / "pgbackrest.conf"))
        ),
        pg_path=Path(env.text("FORTRESA_BACKUP_PG_DATA", "/var/lib/postgresql/15/main")),
        pg_port=env.integer("FORTRESA_BACKUP_PG_PORT", 5432, minimum=1),
        pg_socket_dir=env.text("FORTRESA_BACKUP_PG_SOCKET_DIR", "/var/run/postgresql"),
        pg_database=env.text("FORTRESA_BACKUP_PG_DATABASE", database),
        pg_bindir=env.text("FORTRESA_BACKUP_PG_BINDIR", _default_bindir()),
        run_as=env.text("FORTRESA_BACKUP_RUN_AS", "postgres"),
        command=tuple(shlex.split(env.text("FORTRESA_BACKUP_PGBACKREST", "pgbackrest"))),
        log_path=Path(env.text("FORTRESA_BACKUP_LOG_DIR", str(backups_dir / "log"))),
        lock_path=Path(env.text("FORTRESA_BACKUP_LOCK_DIR", str(backups_dir / "lock"))),
        scratch_dir=Path(env.text("FORTRESA_BACKUP_SCRATCH_DIR", str(backups_dir / "scratch"))),
        repositories=repositories,
        archive_timeout=env.integer("FORTRESA_BACKUP_ARCHIVE_TIMEOUT", 60, minimum=1),
        process_max=env.integer("FORTRESA_BACKUP_PROCESS_MAX", 2, minimum=1),
    )


def _repository(env: Env, number: int, backups_dir: Path) -> Repository:
    prefix = f"FORTRESA_BACKUP_REPO{number}_"
    kind = env.choice(prefix + "TYPE", REPOSITORY_TYPES, "posix" if number == 1 else "azure")
    options: dict[str, str] = {}
    if kind == "posix":
        path = env.text(prefix + "PATH", str(backups_dir / f"repo{number}"))
    else:
        path = env.text(prefix + "PATH", "/fortresa")
        options.update(_object_store_options(env, prefix, kind))
    return Repository(
        number=number,
        type=kind,
        path=path,
        cipher_pass=env.secret(prefix + "CIPHER_PASS"),
        options=options,
    )


def _object_store_options(env: Env, prefix: str, kind: str) -> dict[str, str]:
    options: dict[str, str] = {}
    if kind == "azure":
        options["azure-account"] = env.text(prefix + "AZURE_ACCOUNT")
        options["azure-container"] = env.text(prefix + "AZURE_CONTAINER", "fortresa")
        options["azure-key"] = env.secret(prefix + "AZURE_KEY")
        style = env.text(prefix + "AZURE_URI_STYLE", "")
        if style:
            options["azure-uri-style"] = style
    else:
        options["s3-bucket"] = env.text(prefix + "S3_BUCKET")
        options["s3-endpoint"] = env.text(prefix + "S3_ENDPOINT")
        options["s3-region"] = env.text(prefix + "S3_REGION")
        options["s3-key"] = env.secret(prefix + "S3_KEY")
        options["s3-key-secret"] = env.secret(prefix + "S3_KEY_SECRET")
        style = env.text(prefix + "S3_URI_STYLE", "")
        if style:
            options["s3-uri-style"] = style
    for variable, option in (
        ("STORAGE_HOST", "storage-host"),
        ("STORAGE_PORT", "storage-port"),
        ("STORAGE_CA_FILE", "storage-ca-file"),
    ):
        value = env.text(prefix + variable, "")
        if value:
            options[option] = value
    return options


def _sqlite(env: Env, backups_dir: Path, database: str) -> SqliteConfig:
    source = env.text("FORTRESA_BACKUP_SQLITE_SOURCE", database)
    if not source:
        raise ConfigError("FORTRESA_BACKUP_SQLITE_SOURCE must name the SQLite database file")
    destinations = env.items(
        "FORTRESA_BACKUP_SQLITE_DIRS",
        [str(backups_dir / "site-a"), str(backups_dir / "site-b")],
    )
    return SqliteConfig(
        source=Path(source),
        destinations=tuple(Path(item) for item in destinations),
        key=env.secret("FORTRESA_BACKUP_SQLITE_KEY"),
        scratch_dir=Path(env.text("FORTRESA_BACKUP_SCRATCH_DIR", str(backups_dir / "scratch"))),
    )

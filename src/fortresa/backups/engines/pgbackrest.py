"""PostgreSQL backups with pgBackRest: encrypted repositories in two places, continuous WAL.

Fortresa writes pgBackRest's configuration from its own settings (one file, mode 0600,
owned by the cluster's OS user, holding each repository's passphrase) and runs every
pgBackRest command as that user. ``pgbackrest verify`` exits 0 even when it finds
damage, so its report is read line by line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fortresa.backups.config import PgBackRestConfig, Repository
from fortresa.backups.engines import pgcluster
from fortresa.backups.engines.base import (
    ArchiveState,
    BackupEngine,
    BackupError,
    BackupOutcome,
    BackupSummary,
    DrillOutcome,
    Fingerprint,
    Progress,
    RepositoryState,
    RestoreOutcome,
    VerifyOutcome,
    check_restore_time,
    compare_fingerprints,
    quiet,
    register,
)
from fortresa.backups.engines.diskspace import (
    PGBACKREST_FULL,
    ensure_room,
    full_disk_error,
    nearly_full,
    tree_size,
)
from fortresa.backups.engines.targets import fresh_target, owner_ids

# pgBackRest info status codes meaning "the repository answered".
_REACHABLE_CODES = {0, 1, 2, 3}
_ZERO_COUNTS = re.compile(r"^(?:[a-z ]+: 0(?:, )?)+$")
_RESTORE_SET = re.compile(r"restore backup set (\S+?),")


def render_config(config: PgBackRestConfig, retention_days: int) -> str:
    """pgBackRest's configuration file for ``config`` (it contains the passphrases)."""
    lines = ["[global]"]
    for repo in config.repositories:
        lines += _repository_lines(repo, retention_days)
    lines += [
        "compress-type=zst",
        "compress-level=3",
        "start-fast=y",
        f"process-max={config.process_max}",
        f"log-path={config.log_path}",
        f"lock-path={config.lock_path}",
        "log-level-file=info",
        "",
        f"[{config.stanza}]",
        f"pg1-path={config.pg_path}",
        f"pg1-port={config.pg_port}",
        f"pg1-socket-path={config.pg_socket_dir}",
        f"pg1-user={config.run_as}",
        "",
    ]
    return "\n".join(lines)


def _repository_lines(repo: Repository, retention_days: int) -> list[str]:
    prefix = f"repo{repo.number}-"
    lines = [
        f"{prefix}type={repo.type}",
        f"{prefix}path={repo.path}",
        f"{prefix}cipher-type=aes-256-cbc",
        f"{prefix}cipher-pass={repo.cipher_pass}",
        f"{prefix}retention-full-type=time",
        f"{prefix}retention-full={retention_days}",
    ]
    lines += [f"{prefix}{option}={value}" for option, value in sorted(repo.options.items())]
    return lines


def render_postgresql_settings(config: PgBackRestConfig) -> str:
    """The postgresql.conf lines that archive every WAL segment to every repository."""
    return (
        "wal_level = replica\n"
        "archive_mode = on\n"
        f"archive_command = 'pgbackrest --config={config.config_path} "
        f"--stanza={config.stanza} archive-push %p'\n"
        f"archive_timeout = {config.archive_timeout}\n"
    )


def _describe(repo: Repository) -> str:
    if repo.type == "posix":
        return f"posix {repo.path}"
    if repo.type == "azure":
        return f"azure {repo.options.get('azure-container', '')}{repo.path}"
    return f"s3 {repo.options.get('s3-bucket', '')}{repo.path}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@register
class PgBackRestEngine(BackupEngine):
    identifier = "pgbackrest"
    kinds = ("full", "diff", "incr")

    @property
    def pg(self) -> PgBackRestConfig:
        assert self.config.pgbackrest is not None  # noqa: S101 - load_config guarantees it
        return self.config.pgbackrest

    # --- plumbing --------------------------------------------------------------------

    def write_config(self) -> None:
        """Write the configuration file and the directories pgBackRest writes into."""
        pg = self.pg
        ids = owner_ids(pg.run_as)
        posix = [Path(r.path) for r in pg.repositories if r.type == "posix"]
        for directory in (pg.log_path, pg.lock_path, pg.scratch_dir, *posix):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if ids is not None:
                os.chown(directory, *ids)
        content = render_config(pg, self.config.schedule.retention_days)
        path = pg.config_path
        if path.exists() and path.read_text() == content:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        if ids is not None:
            os.chown(temporary, *ids)
        os.replace(temporary, path)

    def _argv(self, args: list[str]) -> list[str]:
        pg = self.pg
        base = [*pg.command, f"--config={pg.config_path}", f"--stanza={pg.stanza}"]
        return pgcluster.as_cluster_user(pg, [*base, *args])

    def run(self, args: list[str], progress: Progress | None = None) -> tuple[int, str, str]:
        """Run one pgBackRest command; stream its INFO lines to ``progress`` when given."""
        if progress is None:
            completed = subprocess.run(  # noqa: S603 - argv from configuration, no shell
                self._argv(args),
                capture_output=True,
                text=True,
                errors="replace",
                timeout=24 * 3600,
                check=False,
            )
            return completed.returncode, completed.stdout, completed.stderr
        argv = self._argv([*args, "--log-level-console=info", "--log-level-stderr=off"])
        lines: list[str] = []
        with subprocess.Popen(  # noqa: S603 - argv from configuration, no shell
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        ) as process:
            assert process.stdout is not None  # noqa: S101 - PIPE requested
            for line in process.stdout:
                lines.append(line)
                if " INFO: " in line or " WARN: " in line or " ERROR: " in line:
                    progress(line.split(": ", 1)[-1].rstrip())
        output = "".join(lines)
        return process.returncode, output, output

    def _failure(
        self, what: str, output: str, where: Path | None = None, kept: str = ""
    ) -> BackupError:
        errors = [line.strip() for line in output.splitlines() if "ERROR" in line]
        said = " | ".join(errors[-3:]) or output.strip()[-500:]
        # A full repository also shows as WAL that "was not archived" (archive-push
        # failed in PostgreSQL's archiver, whose error is in PostgreSQL's log).
        if where is not None and (PGBACKREST_FULL in output or nearly_full(where)):
            full = full_disk_error(where, what, kept)
            return BackupError(f"{full} (pgBackRest: {said})")
        return BackupError(f"{what} failed: {said}")

    def info(self, repository: int | None = None) -> dict[str, Any]:
        args = ["info", "--output=json"]
        if repository is not None:
            args.insert(0, f"--repo={repository}")
        code, out, err = self.run(args)
        if code != 0:
            raise self._failure("pgbackrest info", err or out)
        # Undecryptable files put raw bytes into error messages.
        stanzas: list[dict[str, Any]] = json.loads(out, strict=False)
        return stanzas[0] if stanzas else {}

    def _repository(self, number: int) -> Repository:
        for repo in self.pg.repositories:
            if repo.number == number:
                return repo
        configured = ", ".join(str(r.number) for r in self.pg.repositories)
        raise BackupError(f"repository {number} is not configured (configured: {configured})")

    # --- contract ----------------------------------------------------------------------

    def repositories(self) -> list[RepositoryState]:
        self.write_config()
        info = self.info()
        statuses = {r["key"]: r["status"] for r in info.get("repo", [])}
        states = []
        for repo in self.pg.repositories:
            status = statuses.get(repo.number, {"code": 99, "message": "not reported"})
            backups = tuple(
                BackupSummary(
                    label=b["label"],
                    kind=b["type"],
                    started_at=datetime.fromtimestamp(b["timestamp"]["start"], tz=UTC),
                    finished_at=datetime.fromtimestamp(b["timestamp"]["stop"], tz=UTC),
                    size_bytes=b["info"]["repository"]["size"],
                )
                for b in info.get("backup", [])
                if b["database"]["repo-key"] == repo.number and not b.get("error")
            )
            reachable = status["code"] in _REACHABLE_CODES
            states.append(
                RepositoryState(
                    number=repo.number,
                    description=_describe(repo),
                    reachable=reachable,
                    error="" if reachable else str(status["message"]).splitlines()[0],
                    backups=backups,
                )
            )
        return states

    def _state(self, number: int) -> RepositoryState:
        self._repository(number)
        state = next(s for s in self.repositories() if s.number == number)
        if not state.reachable:
            raise BackupError(f"repository {number} is unreachable: {state.error}")
        return state

    def backup(self, *, kind: str, repository: int, progress: Progress = quiet) -> BackupOutcome:
        if kind not in self.kinds:
            raise BackupError(f"pgBackRest takes full, diff or incr backups, not {kind!r}")
        state = self._state(repository)
        repo = self._repository(repository)
        where = Path(repo.path) if repo.type == "posix" else None
        kept = (
            "The backups already in the repository are untouched; pgBackRest resumes or "
            "removes the unfinished one on the next backup."
        )
        if not state.backups:
            code, out, err = self.run(["stanza-create"], progress)
            if code != 0:
                raise self._failure("pgbackrest stanza-create", err or out, where, kept)
        code, out, err = self.run([f"--repo={repository}", f"--type={kind}", "backup"], progress)
        if code != 0:
            what = f"{kind} backup to repo{repository}"
            raise self._failure(what, err or out, where, kept)
        latest = max(self._state(repository).backups, key=lambda b: b.finished_at)
        return BackupOutcome(label=latest.label, size_bytes=latest.size_bytes)

    def verify(self, *, repository: int, progress: Progress = quiet) -> VerifyOutcome:
        self._repository(repository)
        self.write_config()
        progress(f"verifying repo{repository}")
        code, out, err = self.run([f"--repo={repository}", "verify", "--output=text", "--verbose"])
        return parse_verify(code, out, err)

    def restore(
        self,
        *,
        target_time: datetime | None,
        repository: int | None,
        target: Path | None,
        in_place: bool = False,
        progress: Progress = quiet,
    ) -> RestoreOutcome:
        number = self._choose_repository(target_time, repository)
        args = [f"--repo={number}", "restore"]
        if target_time is not None:
            stamp = target_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")
            args += ["--type=time", f"--target={stamp}", "--target-action=promote"]
        needed = self._restored_size(number, target_time)
        if in_place:
            if (self.pg.pg_path / "postmaster.pid").exists():
                raise BackupError(f"PostgreSQL is running on {self.pg.pg_path}: stop it first")
            # A delta restore rewrites files in place: refuse it up front rather than
            # leave the live data directory half restored on a disk that fills.
            ensure_room(
                self.pg.pg_path,
                needed=needed,
                what="in-place restore",
                reusable=tree_size(self.pg.pg_path),
            )
            code, out, err = self.run([*args, "--delta"], progress)
            if code != 0:
                kept = (
                    f"{self.pg.pg_path} may be partly restored and must not be started; "
                    "the same restore, run again, only rewrites what differs."
                )
                raise self._failure("in-place restore", err or out, self.pg.pg_path, kept)
            return RestoreOutcome(repository=number, target=self.pg.pg_path, label=_label(out))
        if target is None:
            raise BackupError("a restore needs --target DIR (or --in-place)")
        ensure_room(target, needed=needed, what=f"restore from repo{number}")
        with fresh_target(target, owner=self.pg.run_as) as directory:
            # A copy must never archive into the live cluster's repositories.
            args += [f"--pg1-path={directory}", "--archive-mode=off"]
            code, out, err = self.run(args, progress)
            if code != 0:
                kept = f"The restore target {target} was left as it was found."
                raise self._failure(f"restore from repo{number}", err or out, directory, kept)
        return RestoreOutcome(repository=number, target=directory, label=_label(out))

    def _restored_size(self, repository: int, moment: datetime | None) -> int:
        """The database size of the backup a restore to ``moment`` starts from (0 unknown)."""
        backups = [
            b
            for b in self.info(repository).get("backup", [])
            if b["database"]["repo-key"] == repository and not b.get("error")
        ]
        if moment is not None:
            limit = moment.timestamp()
            backups = [b for b in backups if b["timestamp"]["stop"] <= limit] or backups
        if not backups:
            return 0
        latest = max(backups, key=lambda b: b["timestamp"]["stop"])
        return int(latest["info"].get("size", 0))

    def _choose_repository(self, moment: datetime | None, repository: int | None) -> int:
        now = datetime.now(UTC)
        if repository is not None:
            state = self._state(repository)
            earliest = min((b.finished_at for b in state.backups), default=None)
            if moment is None:
                if earliest is None:
                    raise BackupError(f"repository {repository} holds no backup")
            else:
                check_restore_time(moment, now=now, earliest=earliest)
            return repository
        reasons = []
        for state in self.repositories():
            earliest = min((b.finished_at for b in state.backups), default=None)
            try:
                if not state.reachable:
                    raise BackupError(f"unreachable: {state.error}")
                if moment is None and earliest is None:
                    raise BackupError("holds no backup")
                if moment is not None:
                    check_restore_time(moment, now=now, earliest=earliest)
            except BackupError as exc:
                reasons.append(f"repo{state.number}: {exc}")
                continue
            return state.number
        raise BackupError("no repository can serve this restore: " + "; ".join(reasons))

    def expire(self, *, repository: int, progress: Progress = quiet) -> list[str]:
        before = {b.label for b in self._state(repository).backups}
        code, out, err = self.run([f"--repo={repository}", "expire"], progress)
        if code != 0:
            raise self._failure(f"expire on repo{repository}", err or out)
        after = {b.label for b in self._state(repository).backups}
        return sorted(before - after)

    def fingerprint_now(self, tables: tuple[str, ...]) -> Fingerprint | None:
        return pgcluster.live_fingerprint(self.pg, tables)

    def archive_state(self) -> ArchiveState:
        return pgcluster.archive_state(self.pg)

    def drill(
        self,
        *,
        repository: int,
        point: Fingerprint,
        measure_rpo: bool,
        progress: Progress = quiet,
    ) -> DrillOutcome:
        rpo = None
        if point.lsn:
            # Recovery can only reach the point once its WAL is in the repositories.
            progress("waiting for the drill point's WAL to be archived")
            timeout = 2 * self.pg.archive_timeout + 60
            archived_at = pgcluster.wait_archived(self.pg, point.lsn, timeout=timeout)
            if measure_rpo:
                rpo = max(0.0, (archived_at - point.taken_at).total_seconds())
        self.write_config()
        root = self.pg.scratch_dir / f"drill-{uuid.uuid4().hex[:12]}"
        root.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(root, self.pg.run_as)
        cluster = pgcluster.ScratchCluster(self.pg, root, _free_port())
        try:
            started = time.monotonic()
            outcome = self.restore(
                target_time=point.taken_at,
                repository=repository,
                target=cluster.data,
                progress=progress,
            )
            progress("starting the restored cluster")
            cluster.start()
            rto = time.monotonic() - started
            progress("running pg_amcheck")
            cluster.amcheck()
            found = cluster.fingerprint(tuple(point.tables))
        finally:
            cluster.remove()
        return compare_fingerprints(point, found, rpo=rpo, rto=rto, label=outcome.label)


def _label(output: str) -> str:
    match = _RESTORE_SET.search(output)
    return match.group(1) if match else ""


def parse_verify(code: int, out: str, err: str) -> VerifyOutcome:
    """Read ``pgbackrest verify --output=text --verbose``: its exit code says nothing."""
    problems = []
    checked = 0
    statuses = []
    for raw in out.splitlines():
        line = raw.strip()
        for count in re.findall(r"total (?:WAL|files) checked: (\d+)", line):
            checked += int(count)
        if line.startswith("status:"):
            statuses.append(line.split(":", 1)[1].strip())
            continue
        if not line or line.startswith("stanza:") or _ZERO_COUNTS.match(line):
            continue
        if line.startswith("archiveId:"):
            wal = re.search(r"total WAL checked: (\d+), total valid WAL: (\d+)", line)
            if wal is None or wal.group(1) != wal.group(2):
                problems.append(line)
        elif not (line.startswith("backup:") and "status: valid" in line):
            problems.append(line)
    if not statuses:
        problems.append("verify printed no status")
    problems += [f"status: {s}" for s in statuses if s != "ok" and not problems]
    problems += [line.strip() for line in err.splitlines() if "WARN" in line or "ERROR" in line]
    if code != 0:
        problems.append(f"pgbackrest verify exited with {code}")
    return VerifyOutcome(checked=checked, problems=tuple(problems))

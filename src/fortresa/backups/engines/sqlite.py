"""Backups of the embedded default's SQLite database.

Full backups are consistent snapshots taken with SQLite's online backup API.
Differential backups hold the pages changed since the last full, incremental backups
the pages changed since the previous backup of any kind; every backup also carries the
hashes of all pages, so the next one knows what changed without reading the pages.
Each destination directory is a repository with its own chain; files are sealed with
AES-256-GCM (see ``sealed``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fortresa.backups.config import SqliteConfig
from fortresa.backups.engines import sealed
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
from fortresa.backups.engines.diskspace import writing_to
from fortresa.backups.engines.targets import fresh_target

_PAGES_PER_RECORD = 256
_HASHES_PER_RECORD = 65536
_PAGE_ENTRY = struct.Struct(">I")
_KIND_LETTER = {"full": "F", "diff": "D", "incr": "I"}


def _page_hash(page: bytes) -> bytes:
    return hashlib.blake2b(page, digest_size=16).digest()


def table_fingerprint(path: Path, tables: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Row count and an order-independent checksum of each key table present."""
    result: dict[str, dict[str, Any]] = {}
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        present = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        for table in tables:
            if table not in present:
                continue
            digests = sorted(
                hashlib.sha256(repr(row).encode()).hexdigest()
                for row in db.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - name from sqlite_master
            )
            checksum = hashlib.sha256("".join(digests).encode()).hexdigest()
            result[table] = {"rows": len(digests), "checksum": checksum}
    return result


def integrity_problems(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


@register
class SqliteEngine(BackupEngine):
    identifier = "sqlite"
    kinds = ("full", "diff", "incr")

    @property
    def lite(self) -> SqliteConfig:
        assert self.config.sqlite is not None  # noqa: S101 - load_config guarantees it
        return self.config.sqlite

    @property
    def key(self) -> bytes:
        return sealed.derive_key(self.lite.key)

    def _directory(self, repository: int) -> Path:
        if not 1 <= repository <= len(self.lite.destinations):
            configured = ", ".join(str(n + 1) for n in range(len(self.lite.destinations)))
            raise BackupError(
                f"repository {repository} is not configured (configured: {configured})"
            )
        return self.lite.destinations[repository - 1]

    def _headers(self, repository: int) -> list[tuple[Path, sealed.Header]]:
        directory = self._directory(repository)
        if not directory.is_dir():
            raise BackupError(f"repository {repository} ({directory}) does not exist")
        found = [(p, sealed.read_header(p)) for p in directory.glob(f"*{sealed.SUFFIX}")]
        return sorted(found, key=lambda item: item[1].created_at)

    # --- contract ----------------------------------------------------------------------

    def repositories(self) -> list[RepositoryState]:
        states = []
        for number, directory in enumerate(self.lite.destinations, start=1):
            try:
                headers = self._headers(number)
            except (BackupError, OSError, ValueError) as exc:
                states.append(RepositoryState(number, f"directory {directory}", False, str(exc)))
                continue
            backups = tuple(
                BackupSummary(h.label, h.kind, h.created_at, h.created_at, p.stat().st_size)
                for p, h in headers
            )
            states.append(RepositoryState(number, f"directory {directory}", True, "", backups))
        return states

    @contextmanager
    def _snapshot(self) -> Iterator[tuple[Path, datetime]]:
        if not self.lite.source.is_file():
            raise BackupError(f"the database {self.lite.source} does not exist")
        scratch_dir = self.lite.scratch_dir
        what, kept = "the snapshot of the database", "No backup was written."
        with writing_to(scratch_dir, what, kept):
            scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            holder = tempfile.TemporaryDirectory(dir=scratch_dir)
        with holder as scratch:
            copy = Path(scratch) / "snapshot.sqlite3"
            moment = datetime.now(UTC)
            with (
                writing_to(scratch_dir, what, kept),
                closing(sqlite3.connect(f"file:{self.lite.source}?mode=ro", uri=True)) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)
            yield copy, moment

    def backup(self, *, kind: str, repository: int, progress: Progress = quiet) -> BackupOutcome:
        if kind not in self.kinds:
            raise BackupError(f"the SQLite engine takes full, diff or incr backups, not {kind!r}")
        directory = self._directory(repository)
        what = f"{kind} backup to repository {repository}"
        kept = "No backup file was left behind; the existing backups are untouched."
        with writing_to(directory, what, kept):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        headers = self._headers(repository)
        parent = self._parent(kind, headers)
        if parent is None and kind != "full":
            raise BackupError(f"a {kind} backup needs a full backup in repository {repository}")
        base_hashes = sealed.metadata(parent[0], self.key)[0] if parent else []
        progress(f"{kind} backup of {self.lite.source} to repository {repository}")
        with self._snapshot() as (copy, moment):
            label = moment.strftime("%Y%m%d-%H%M%S-%f") + _KIND_LETTER[kind]
            with closing(sqlite3.connect(copy)) as db:
                page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
            if parent is not None and parent[1].page_size != page_size:
                raise BackupError("the page size changed since the last full: take a full backup")
            fingerprint = table_fingerprint(copy, self.config.drill_tables)
            header = sealed.Header(
                label=label,
                kind=kind,
                parent=parent[1].label if parent else "",
                created_at=moment,
                page_size=page_size,
                page_count=copy.stat().st_size // page_size,
            )
            with writing_to(directory, what, kept):
                writer = sealed.SealedWriter(
                    directory / f"{label}{sealed.SUFFIX}", header, self.key
                )
                try:
                    size = self._write_pages(
                        writer, copy, header, base_hashes, fingerprint, progress
                    )
                except BaseException:
                    writer.abandon()
                    raise
        return BackupOutcome(
            label=label,
            size_bytes=size,
            fingerprint=Fingerprint(taken_at=moment, tables=fingerprint, label=label),
        )

    @staticmethod
    def _parent(
        kind: str, headers: list[tuple[Path, sealed.Header]]
    ) -> tuple[Path, sealed.Header] | None:
        if kind == "full" or not headers:
            return None
        if kind == "incr":
            return headers[-1]
        fulls = [item for item in headers if item[1].kind == "full"]
        return fulls[-1] if fulls else None

    def _write_pages(
        self,
        writer: sealed.SealedWriter,
        copy: Path,
        header: sealed.Header,
        base: list[bytes],
        fingerprint: dict[str, Any],
        progress: Progress,
    ) -> int:
        image = hashlib.sha256()
        hashes: list[bytes] = []
        with copy.open("rb") as handle:
            while page := handle.read(header.page_size):
                image.update(page)
                hashes.append(_page_hash(page))
        for start in range(0, len(hashes), _HASHES_PER_RECORD):
            writer.record(b"H", b"".join(hashes[start : start + _HASHES_PER_RECORD]))
        writer.record(b"M", _json({"tables": fingerprint}))
        changed = [n for n, h in enumerate(hashes) if n >= len(base) or base[n] != h]
        with copy.open("rb") as handle:
            for start in range(0, len(changed), _PAGES_PER_RECORD):
                chunk = bytearray()
                for number in changed[start : start + _PAGES_PER_RECORD]:
                    handle.seek(number * header.page_size)
                    chunk += _PAGE_ENTRY.pack(number) + handle.read(header.page_size)
                writer.record(b"P", bytes(chunk))
                if start and start % (_PAGES_PER_RECORD * 64) == 0:
                    progress(f"{start} of {len(changed)} changed pages written")
        progress(f"{len(changed)} of {len(hashes)} pages stored")
        return writer.finish(image.digest())

    def _chain(self, repository: int, label: str) -> list[Path]:
        by_label = {h.label: (p, h) for p, h in self._headers(repository)}
        chain: list[Path] = []
        current = label
        while current:
            if current not in by_label:
                raise BackupError(f"backup {current} needed by {label} is missing")
            path, header = by_label[current]
            chain.insert(0, path)
            current = header.parent
        return chain

    def _rebuild(self, chain: list[Path], output: Path, *, what: str, kept: str) -> dict[str, Any]:
        """Apply the chain to ``output``; check the image hash; return its metadata.

        A failed write (a full disk) raises a ``BackupError`` saying ``what`` failed and
        what was ``kept``; the caller removes ``output``.
        """
        meta: dict[str, Any] = {}
        expected = b""
        page_count = page_size = 0
        with (
            writing_to(output.parent, what, kept),
            output.open("wb") as handle,
        ):
            for path in chain:
                header = sealed.read_header(path)
                page_count, page_size = header.page_count, header.page_size
                entry = _PAGE_ENTRY.size + page_size
                for kind, payload in sealed.read_records(path, self.key):
                    if kind == b"P":
                        for offset in range(0, len(payload), entry):
                            (number,) = _PAGE_ENTRY.unpack_from(payload, offset)
                            handle.seek(number * page_size)
                            handle.write(payload[offset + _PAGE_ENTRY.size : offset + entry])
                    elif kind == b"M":
                        meta = _loads(payload)
                    elif kind == b"E":
                        expected = payload
            handle.truncate(page_count * page_size)
        digest = hashlib.sha256()
        with output.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        if digest.digest() != expected:
            raise BackupError(f"restored image of {chain[-1].name} does not match its checksum")
        problems = integrity_problems(output)
        if problems:
            raise BackupError(f"integrity_check failed: {'; '.join(problems[:3])}")
        return meta

    def verify(self, *, repository: int, progress: Progress = quiet) -> VerifyOutcome:
        try:
            headers = self._headers(repository)
        except (BackupError, OSError) as exc:
            return VerifyOutcome(checked=0, problems=(str(exc),))
        problems: list[str] = []
        for path, _header in headers:
            try:
                for _record in sealed.read_records(path, self.key):
                    pass
            except BackupError as exc:
                problems.append(str(exc))
        # Rebuild the newest backup of every chain: it exercises every file of the chain.
        heads: dict[str, str] = {}
        for _path, header in headers:
            heads[self._root(headers, header)] = header.label
        self.lite.scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for label in heads.values():
            progress(f"rebuilding {label} and running PRAGMA integrity_check")
            with tempfile.TemporaryDirectory(dir=self.lite.scratch_dir) as scratch:
                try:
                    self._rebuild(
                        self._chain(repository, label),
                        Path(scratch) / "image",
                        what=f"rebuilding {label} to verify it",
                        kept="The repository was not changed.",
                    )
                except BackupError as exc:
                    problems.append(f"{label}: {exc}")
        if not headers:
            problems.append(f"repository {repository} holds no backup")
        return VerifyOutcome(checked=len(headers), problems=tuple(dict.fromkeys(problems)))

    @staticmethod
    def _root(headers: list[tuple[Path, sealed.Header]], header: sealed.Header) -> str:
        by_label = {h.label: h for _, h in headers}
        current = header
        while current.parent and current.parent in by_label:
            current = by_label[current.parent]
        return current.label

    def restore(
        self,
        *,
        target_time: datetime | None,
        repository: int | None,
        target: Path | None,
        in_place: bool = False,
        progress: Progress = quiet,
    ) -> RestoreOutcome:
        number, label = self._choose(target_time, repository)
        chain = self._chain(number, label)
        progress(f"restoring {label} from repository {number} ({len(chain)} files)")
        if in_place:
            source = self.lite.source
            temporary = source.with_name(f".{source.name}.restore-{uuid.uuid4().hex}")
            try:
                self._rebuild(
                    chain,
                    temporary,
                    what=f"in-place restore of {label}",
                    kept=f"The live database {source} was not touched.",
                )
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            os.replace(temporary, source)
            for suffix in ("-wal", "-shm"):
                source.with_name(source.name + suffix).unlink(missing_ok=True)
            return RestoreOutcome(repository=number, target=source, label=label)
        if target is None:
            raise BackupError("a restore needs --target DIR (or --in-place)")
        with fresh_target(target) as directory:
            self._rebuild(
                chain,
                directory / self.lite.source.name,
                what=f"restore of {label}",
                kept=f"The restore target {target} was left as it was found.",
            )
        return RestoreOutcome(repository=number, target=directory, label=label)

    def _choose(self, moment: datetime | None, repository: int | None) -> tuple[int, str]:
        numbers = [repository] if repository else range(1, len(self.lite.destinations) + 1)
        now = datetime.now(UTC)
        reasons = []
        for number in numbers:
            try:
                headers = self._headers(number)
                if moment is None:
                    if not headers:
                        raise BackupError("holds no backup")
                    return number, headers[-1][1].label
                earliest = headers[0][1].created_at if headers else None
                check_restore_time(moment, now=now, earliest=earliest)
                return number, [h for _, h in headers if h.created_at <= moment][-1].label
            except (BackupError, OSError) as exc:
                if repository:
                    raise BackupError(str(exc)) from exc
                reasons.append(f"repository {number}: {exc}")
        raise BackupError("no repository can serve this restore: " + "; ".join(reasons))

    def expire(
        self, *, repository: int, progress: Progress = quiet, now: datetime | None = None
    ) -> list[str]:
        """Remove every backup older than the newest full that is itself past retention.

        Like pgBackRest, this keeps one full older than the window, so every moment of
        the window stays restorable.
        """
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.config.schedule.retention_days)
        headers = self._headers(repository)
        anchors = [h for _, h in headers if h.kind == "full" and h.created_at <= cutoff]
        if not anchors:
            return []
        anchor = anchors[-1].created_at
        removed = []
        for path, header in headers:
            if header.created_at < anchor:
                path.unlink()
                removed.append(header.label)
                progress(f"removed {header.label}")
        return removed

    def fingerprint_now(self, tables: tuple[str, ...]) -> Fingerprint | None:
        return None

    def archive_state(self) -> ArchiveState:
        return ArchiveState(lag_seconds=0.0)

    def drill(
        self,
        *,
        repository: int,
        point: Fingerprint,
        measure_rpo: bool,
        progress: Progress = quiet,
    ) -> DrillOutcome:
        self.lite.scratch_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.lite.scratch_dir) as scratch:
            started = time.monotonic()
            outcome = self.restore(
                target_time=point.taken_at,
                repository=repository,
                target=Path(scratch) / "restore",
                progress=progress,
            )
            rto = time.monotonic() - started
            found = table_fingerprint(outcome.target / self.lite.source.name, tuple(point.tables))
        rpo = (datetime.now(UTC) - point.taken_at).total_seconds() if measure_rpo else None
        return compare_fingerprints(point, found, rpo=rpo, rto=rto, label=outcome.label)


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True).encode()


def _loads(raw: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw)
    return loaded

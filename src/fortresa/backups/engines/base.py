"""The contract every backup engine fulfils, and the registry that finds one by name.

An engine knows how to copy one database to its repositories and back. It records
nothing itself: ``fortresa.backups.services`` wraps every call in a ``BackupRun``,
``VerifyRun`` or ``RestoreDrill`` row and raises alerts from what the engine returns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from fortresa.backups.config import BackupConfig

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The progress callback for callers that show nothing."""


class BackupError(Exception):
    """An operation failed; the message says what and what to do. Nothing was overwritten."""


@dataclass(frozen=True)
class Fingerprint:
    """Row counts and checksums of key tables at one moment (``taken_at``)."""

    taken_at: datetime
    tables: dict[str, dict[str, Any]]
    lsn: str = ""
    label: str = ""


@dataclass(frozen=True)
class BackupOutcome:
    label: str
    size_bytes: int | None
    # Engines that restore only to backup points record what each backup holds.
    fingerprint: Fingerprint | None = None


@dataclass(frozen=True)
class BackupSummary:
    """One backup held by a repository."""

    label: str
    kind: str
    started_at: datetime
    finished_at: datetime
    size_bytes: int | None = None


@dataclass(frozen=True)
class RepositoryState:
    number: int
    description: str
    reachable: bool
    error: str = ""
    backups: tuple[BackupSummary, ...] = ()


@dataclass(frozen=True)
class VerifyOutcome:
    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class RestoreOutcome:
    repository: int
    target: Path
    label: str = ""


@dataclass(frozen=True)
class DrillOutcome:
    target_time: datetime | None
    rpo_seconds: float | None
    rto_seconds: float
    checks: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveState:
    """How far behind the continuous WAL archive is (engines without WAL: lag 0)."""

    lag_seconds: float
    failing: bool = False
    detail: str = ""


class BackupEngine(ABC):
    """A way of backing up one database to several repositories.

    Implementations must never write into a non-empty restore target, and must leave a
    target as they found it when a restore fails.
    """

    identifier: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]

    def __init__(self, config: BackupConfig) -> None:
        self.config = config

    @abstractmethod
    def repositories(self) -> list[RepositoryState]:
        """Every configured repository, whether it answers, and the backups it holds."""

    @abstractmethod
    def backup(self, *, kind: str, repository: int, progress: Progress = quiet) -> BackupOutcome:
        """Take one backup of ``kind`` into ``repository``."""

    @abstractmethod
    def verify(self, *, repository: int, progress: Progress = quiet) -> VerifyOutcome:
        """Read back everything in ``repository`` and report every problem found."""

    @abstractmethod
    def restore(
        self,
        *,
        target_time: datetime | None,
        repository: int | None,
        target: Path | None,
        in_place: bool = False,
        progress: Progress = quiet,
    ) -> RestoreOutcome:
        """Restore to ``target_time`` (None: the latest possible) into ``target``.

        ``repository`` None picks the first reachable repository able to serve the time.
        ``in_place`` replaces the live database and must only be passed after the
        operator confirmed it.
        """

    @abstractmethod
    def expire(self, *, repository: int, progress: Progress = quiet) -> list[str]:
        """Remove backups past retention; return the labels removed."""

    @abstractmethod
    def fingerprint_now(self, tables: tuple[str, ...]) -> Fingerprint | None:
        """A fingerprint of the live database that a restore can reach, or None when the
        engine only restores to backup points (then drills use recorded fingerprints)."""

    @abstractmethod
    def drill(
        self,
        *,
        repository: int,
        point: Fingerprint,
        measure_rpo: bool,
        progress: Progress = quiet,
    ) -> DrillOutcome:
        """Restore ``point`` into a scratch place, check it against ``point``, tear down."""

    @abstractmethod
    def archive_state(self) -> ArchiveState:
        """Continuous archiving health (lag in seconds)."""


_ENGINES: dict[str, type[BackupEngine]] = {}


def register(engine: type[BackupEngine]) -> type[BackupEngine]:
    _ENGINES[engine.identifier] = engine
    return engine


def engine_class(identifier: str) -> type[BackupEngine]:
    try:
        return _ENGINES[identifier]
    except KeyError:
        raise BackupError(f"unknown backup engine {identifier!r}") from None


def check_restore_time(moment: datetime, *, now: datetime, earliest: datetime | None) -> None:
    """Refuse restore times in the future or before the oldest backup."""
    if moment > now:
        raise BackupError(
            f"restore time {moment.isoformat()} is in the future (now {now.isoformat()})"
        )
    if earliest is None:
        raise BackupError("no backup exists yet in the chosen repository")
    if moment < earliest:
        raise BackupError(
            f"restore time {moment.isoformat()} is before the oldest backup, which can "
            f"restore from {earliest.isoformat()} on"
        )


def compare_fingerprints(
    point: Fingerprint,
    found: dict[str, dict[str, Any]],
    *,
    rpo: float | None,
    rto: float,
    label: str,
) -> DrillOutcome:
    problems = []
    tables = {}
    for name, expected in point.tables.items():
        actual = found.get(name)
        matches = actual == expected
        tables[name] = {"expected": expected, "found": actual, "ok": matches}
        if not matches:
            problems.append(f"table {name}: expected {expected}, found {actual}")
    checks = {"label": label, "integrity": "ok", "tables": tables}
    return DrillOutcome(
        target_time=point.taken_at,
        rpo_seconds=rpo,
        rto_seconds=rto,
        checks=checks,
        problems=tuple(problems),
    )

"""A full disk, said plainly: which place, how much space is left, what was kept.

Writes that fail for lack of space (``ENOSPC``, ``EDQUOT``, SQLite's ``SQLITE_FULL``,
pgBackRest's ``[28] No space left on device``) become a ``BackupError`` naming the
directory whose disk is full and its free space; other write errors name the place
and the system's reason. Callers clean up before the error reaches the operator, so the
message can say what was left untouched.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fortresa.backups.engines.base import BackupError

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# How pgBackRest reports ENOSPC in its error lines ("... : [28] No space left on device").
PGBACKREST_FULL = f"[{errno.ENOSPC}] No space left on device"


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"


def free_space(path: Path) -> str:
    """``"0.0 MB free of 1.0 MB"`` for the filesystem holding ``path`` (or its parent)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return "free space unknown"
    return f"{_megabytes(usage.free)} free of {_megabytes(usage.total)}"


def nearly_full(path: Path, margin: int = 16 * 1024 * 1024) -> bool:
    """Less than ``margin`` (one WAL segment) free where ``path`` lives."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free < margin
    except OSError:
        return False


def ensure_room(path: Path, *, needed: int, what: str, reusable: int = 0) -> None:
    """Refuse ``what`` before it writes anything when ``path``'s disk cannot hold ``needed``
    bytes (plus one WAL segment of margin); ``reusable`` counts bytes already there that
    the operation may overwrite in place (a delta restore over a data directory)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return  # unknown: the write itself will say if the disk fills
    margin = 16 * 1024 * 1024
    if free + reusable >= needed + margin:
        return
    raise BackupError(
        f"{what} refused: the disk holding {path} is full for it: it needs about "
        f"{_megabytes(needed)} and has {free_space(path)}. Nothing was written. "
        "Free some space there, or choose another place, and run it again."
    )


def tree_size(path: Path) -> int:
    """Bytes of the regular files below ``path`` (0 if it does not exist)."""
    total = 0
    for item in path.rglob("*") if path.exists() else ():
        try:
            if item.is_file() and not item.is_symlink():
                total += item.stat().st_size
        except OSError:
            continue
    return total


def full_disk_error(path: Path, what: str, kept: str) -> BackupError:
    return BackupError(
        f"{what} failed: the disk holding {path} is full ({free_space(path)}). {kept} "
        "Free some space there, or choose another place, and run it again."
    )


def is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in FULL_ERRNOS
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return False


@contextmanager
def writing_to(path: Path, what: str, kept: str) -> Iterator[None]:
    """Turn a failed write under ``path`` into a plain ``BackupError``.

    ``what`` names the operation ("full backup to repository 1"), ``kept`` says what the
    failure left untouched ("No backup file was left behind.").
    """
    try:
        yield
    except BackupError:
        raise
    except (OSError, sqlite3.OperationalError) as exc:
        if is_full(exc):
            raise full_disk_error(path, what, kept) from exc
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            where = exc.filename or path
            raise BackupError(f"{what} failed: cannot write {where}: {reason}. {kept}") from exc
        raise

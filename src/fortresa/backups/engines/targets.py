"""Restore targets that are either used whole or left exactly as they were found."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fortresa.backups.engines.base import BackupError


def owner_ids(user: str) -> tuple[int, int] | None:
    """uid/gid to hand a created directory to, when running as root."""
    if os.geteuid() != 0:
        return None
    import pwd

    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


@contextmanager
def fresh_target(target: Path, *, owner: str | None = None) -> Iterator[Path]:
    """Yield ``target`` as an empty private directory; undo everything on failure.

    A directory that exists and holds anything is refused before a byte is written.
    """
    if target.exists() and not target.is_dir():
        raise BackupError(f"restore target {target} exists and is not a directory")
    created = not target.exists()
    if not created and any(target.iterdir()):
        raise BackupError(f"restore target {target} is not empty; choose an empty or new directory")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    ids = owner_ids(owner) if owner else None
    if ids is not None:
        os.chown(target, *ids)
    target.chmod(0o700)
    try:
        yield target
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        raise

"""Real full filesystems for the backup tests: small tmpfs mounts (the tests run as root)."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SmallDisk = Callable[[Path, str], Path]


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        check=True,
        capture_output=True,
    )


def unmount(where: Path) -> None:
    done = subprocess.run(["umount", str(where)], capture_output=True, check=False)
    if done.returncode != 0:
        # Something (a stopped cluster's last file handle) still holds it: detach it now,
        # the kernel frees it once the last handle closes.
        subprocess.run(["umount", "--lazy", str(where)], capture_output=True, check=True)
    with contextlib.suppress(OSError):
        where.rmdir()


def fill(directory: Path) -> Path:
    """Write a filler file into ``directory`` until its filesystem has no space left."""
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as handle:
        # 64 kB blocks, then the last pages one by one.
        for block in (b"\0" * 65536, b"\0" * 4096):
            while True:
                try:
                    handle.write(block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    return filler


@pytest.fixture
def small_disk() -> Iterator[SmallDisk]:
    """``small_disk(path, "2m")`` mounts a tmpfs of that size at ``path``; every mount is
    unmounted at teardown, whatever the test did."""
    mounted: list[Path] = []

    def make(where: Path, size: str) -> Path:
        mount_tmpfs(where, size)
        mounted.append(where)
        return where

    try:
        yield make
    finally:
        for where in reversed(mounted):
            unmount(where)

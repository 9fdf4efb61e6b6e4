"""Secret files written once, whole, by whichever of several starting processes is first.

A reader must never see a half-written file: the value is written to a private temporary
file in the same directory and then hard-linked into place, which fails if the name
already exists. Every process therefore ends up reading the same, complete value.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def create_once(path: Path, data: bytes) -> bytes:
    """Store ``data`` at ``path`` (mode 0600) unless it exists; return what ``path`` holds."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp creates it with mode 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_bytes()
        return data
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def create_text_once(path: Path, value: str) -> str:
    """``create_once`` for a one-line text secret; returns the stored value, stripped."""
    return create_once(path, (value + "\n").encode()).decode("utf-8").strip()

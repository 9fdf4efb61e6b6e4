"""What is installed and what is locked: (name, version) pairs to audit."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name


class LockFileError(Exception):
    """A lock file that cannot be read or pins a requirement loosely."""


@dataclass(frozen=True, order=True)
class Package:
    name: str
    version: str


def installed_packages() -> list[Package]:
    """Every distribution importable by this interpreter, by canonical name."""
    found: dict[str, Package] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            canonical = canonicalize_name(name)
            found.setdefault(canonical, Package(canonical, dist.version))
    return sorted(found.values())


def _logical_lines(path: Path) -> list[tuple[int, str]]:
    """Lines of a requirements file with continuations joined and comments dropped."""
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LockFileError(f"cannot read lock file {path}: {exc}") from exc
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, line in enumerate(raw, start=1):
        if not pending:
            start = number
        text = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        if text.rstrip().endswith("\\"):
            pending += text.rstrip()[:-1] + " "
            continue
        joined = (pending + text).strip()
        pending = ""
        if joined:
            lines.append((start, joined))
    return lines


def locked_packages(path: Path, _seen: frozenset[Path] = frozenset()) -> list[Package]:
    """The pins of a pip requirements lock (as pip-compile or ``uv pip compile`` write it).

    Every requirement must be pinned with ``==``: a lock that leaves a version open
    cannot be audited. ``-r`` includes are followed; other options are ignored.
    """
    path = path.resolve()
    if path in _seen:
        return []
    found: list[Package] = []
    for number, line in _logical_lines(path):
        if line.startswith(("-r ", "--requirement ")):
            included = Path(line.split(None, 1)[1].strip())
            found.extend(locked_packages(path.parent / included, _seen | {path}))
            continue
        if line.startswith("-"):
            continue
        spec = " ".join(part for part in line.split() if not part.startswith("--hash"))
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as exc:
            raise LockFileError(f"{path}:{number}: not a requirement: {exc}") from exc
        pins = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
        if len(pins) != 1 or "*" in pins[0]:
            raise LockFileError(f"{path}:{number}: {requirement.name} is not pinned with ==")
        found.append(Package(canonicalize_name(requirement.name), pins[0]))
    return sorted(set(found))

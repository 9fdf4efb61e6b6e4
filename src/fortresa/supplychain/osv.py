"""OSV advisories for PyPI packages: reading a directory of records and matching versions.

A record's ``affected`` entries name a package and say which of its versions are
affected, by ``ECOSYSTEM`` ranges (events ``introduced``, ``fixed``, ``last_affected``,
evaluated in version order as the OSV schema prescribes) and by an explicit ``versions``
list. Versions are compared with ``packaging.version``. ``GIT`` ranges describe commits,
not releases, and are left to the ``versions`` list that PyPA records carry beside them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from fortresa.supplychain.severity import Severity, rate_advisory

_SUFFIXES = {".json", ".yaml", ".yml"}
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AdvisoryDatabaseError(Exception):
    """The advisory directory is missing or holds a record that cannot be read."""


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Interval:
    """Affected versions from ``start`` (inclusive, None = all earlier) to ``end``."""

    start: Version | None
    end: Version | None = None
    end_inclusive: bool = False

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, Version):
            return False
        if self.start is not None and version < self.start:
            return False
        if self.end is None:
            return True
        return version <= self.end if self.end_inclusive else version < self.end

    def __str__(self) -> str:
        bounds = []
        if self.start is not None:
            bounds.append(f">={self.start}")
        if self.end is not None:
            bounds.append(f"<={self.end}" if self.end_inclusive else f"<{self.end}")
        return ",".join(bounds) or "all versions"


def intervals_of(events: Iterable[Mapping[str, Any]]) -> list[Interval]:
    """Turn one range's events into affected intervals, sorting them by version first."""
    parsed: list[tuple[Version | None, str]] = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                text = str(event[kind])
                if kind == "introduced" and text == "0":
                    parsed.append((None, kind))
                elif (version := _version(text)) is not None:
                    parsed.append((version, kind))
    # "introduced: 0" sorts first; at one version an introduction precedes its end.
    parsed.sort(
        key=lambda item: (item[0] is not None, item[0] or Version("0"), item[1] != "introduced")
    )
    intervals: list[Interval] = []
    start: Version | None = None
    open_ = False
    for version, kind in parsed:
        if kind == "introduced":
            if not open_:
                start, open_ = version, True
        elif open_ and version is not None:
            intervals.append(Interval(start, version, end_inclusive=kind == "last_affected"))
            open_ = False
    if open_:
        intervals.append(Interval(start))
    return intervals


@dataclass(frozen=True)
class Advisory:
    """One OSV record as it applies to one package."""

    id: str
    package: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity
    score: float | None
    intervals: tuple[Interval, ...]
    listed_versions: frozenset[str]
    fixed: tuple[str, ...]

    def affected_range(self, version: str) -> str | None:
        """The range that makes ``version`` affected, or None when it is not affected."""
        parsed = _version(version)
        for interval in self.intervals:
            if parsed in interval:
                return str(interval)
        listed = {_version(item) or item for item in self.listed_versions}
        if (parsed or version) in listed:
            return f"=={version} (listed)"
        return None


def advisories_in_record(record: Mapping[str, Any]) -> Iterator[Advisory]:
    """The PyPI advisories of one OSV record; nothing for a withdrawn record."""
    if record.get("withdrawn") or "id" not in record:
        return
    severity, score = rate_advisory(record)
    summary = str(record.get("summary") or record.get("details") or "").strip()
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if str(package.get("ecosystem", "")).lower() != "pypi" or not package.get("name"):
            continue
        intervals: list[Interval] = []
        fixed: list[str] = []
        for range_ in affected.get("ranges") or []:
            if str(range_.get("type", "")).upper() != "ECOSYSTEM":
                continue
            events = range_.get("events") or []
            intervals.extend(intervals_of(events))
            fixed.extend(str(event["fixed"]) for event in events if "fixed" in event)
        yield Advisory(
            id=str(record["id"]),
            package=canonicalize_name(str(package["name"])),
            aliases=tuple(str(alias) for alias in record.get("aliases") or []),
            summary=summary.splitlines()[0][:300] if summary else "",
            severity=severity,
            score=score,
            intervals=tuple(intervals),
            listed_versions=frozenset(str(v) for v in affected.get("versions") or []),
            fixed=tuple(sorted(set(fixed), key=lambda text: _version(text) or Version("0"))),
        )


def _read_record(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        record = json.loads(text) if path.suffix == ".json" else yaml.load(text, _YAML_LOADER)  # noqa: S506
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise AdvisoryDatabaseError(f"cannot read advisory {path}: {exc}") from exc
    if not isinstance(record, Mapping):
        raise AdvisoryDatabaseError(f"advisory {path} is not an OSV record")
    return record


def _record_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file())


@dataclass
class AdvisoryIndex:
    """Advisories by canonical package name, read from an OSV directory."""

    root: Path
    by_package: dict[str, list[Advisory]] = field(default_factory=dict)
    records_read: int = 0

    def for_package(self, name: str) -> list[Advisory]:
        return self.by_package.get(canonicalize_name(name), [])


def load_advisories(root: Path, packages: Iterable[str]) -> AdvisoryIndex:
    """Read the advisories that concern ``packages`` from an OSV directory.

    Two layouts are read: one folder of records per package (the PyPA database's
    ``vulns/``), where only the folders of the audited packages are opened, and record
    files directly in ``root`` (an extracted OSV export), which are all read. A directory
    holding neither is refused, so a mistyped path never passes as a clean audit.
    """
    if not root.is_dir():
        raise AdvisoryDatabaseError(f"advisory directory {root} does not exist")
    wanted = {canonicalize_name(name) for name in packages}
    files = _record_files(root)
    holds_records = bool(files)
    for entry in sorted(root.iterdir()):
        if not entry.is_dir():
            continue
        package_files = _record_files(entry)
        holds_records = holds_records or bool(package_files)
        if canonicalize_name(entry.name) in wanted:
            files.extend(package_files)
    if not holds_records:
        raise AdvisoryDatabaseError(
            f"{root} holds no OSV records (expected one folder of .yaml/.json files per package)"
        )
    index = AdvisoryIndex(root=root)
    for path in files:
        index.records_read += 1
        for advisory in advisories_in_record(_read_record(path)):
            if advisory.package in wanted:
                index.by_package.setdefault(advisory.package, []).append(advisory)
    return index

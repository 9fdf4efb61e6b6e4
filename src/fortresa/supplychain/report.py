"""One audit from start to verdict: what was checked, what was found, pass or fail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fortresa.supplychain.audit import Finding, count_by_severity, failing, find_vulnerabilities
from fortresa.supplychain.inventory import (
    LockFileError,
    Package,
    installed_packages,
    locked_packages,
)
from fortresa.supplychain.osv import AdvisoryDatabaseError, load_advisories
from fortresa.supplychain.severity import Severity

ENVIRONMENT = "environment"


@dataclass
class AuditReport:
    mode: str
    database: str
    sources: list[str]
    fail_on: Severity | None
    packages_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    error: str = ""

    @property
    def failing(self) -> list[Finding]:
        return [] if self.fail_on is None else failing(self.findings, self.fail_on)

    @property
    def result(self) -> str:
        if self.error:
            return "error"
        return "failed" if self.failing else "passed"

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "mode": self.mode,
            "database": self.database,
            "sources": self.sources,
            "fail_on": self.fail_on.value if self.fail_on else "none",
            "packages_checked": self.packages_checked,
            "counts": self.counts,
            "findings": [finding.as_json() for finding in self.findings],
            "error": self.error,
        }


def packages_by_source(
    *, lock_files: Sequence[Path], include_environment: bool
) -> dict[str, list[Package]]:
    """The packages to audit, keyed by where they come from."""
    sources: dict[str, list[Package]] = {}
    if include_environment:
        sources[ENVIRONMENT] = installed_packages()
    for lock in lock_files:
        sources[str(lock)] = locked_packages(lock)
    return sources


def offline_audit(
    *,
    database: Path,
    lock_files: Sequence[Path] = (),
    include_environment: bool = True,
    fail_on: Severity | None = Severity.LOW,
) -> AuditReport:
    """Audit the environment and lock files against an OSV advisory directory.

    Unreadable inputs do not raise: the report carries the error and its result is
    ``error``, so the run can still be recorded.
    """
    report = AuditReport(
        mode="offline",
        database=str(database),
        sources=([ENVIRONMENT] if include_environment else []) + [str(p) for p in lock_files],
        fail_on=fail_on,
    )
    try:
        sources = packages_by_source(lock_files=lock_files, include_environment=include_environment)
        names = {package.name for packages in sources.values() for package in packages}
        index = load_advisories(database, names)
    except (LockFileError, AdvisoryDatabaseError) as exc:
        report.error = str(exc)
        return report
    for source, packages in sources.items():
        report.packages_checked += len(packages)
        report.findings.extend(find_vulnerabilities(packages, index, source=source))
    report.findings.sort(key=lambda f: (-f.severity.rank, f.package, f.advisory_id, f.source))
    return report

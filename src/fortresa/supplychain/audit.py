"""Matching packages against advisories: findings and their counts by severity."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from fortresa.supplychain.inventory import Package
from fortresa.supplychain.osv import AdvisoryIndex
from fortresa.supplychain.severity import Severity


@dataclass(frozen=True)
class Finding:
    """One advisory affecting one installed or locked package."""

    advisory_id: str
    aliases: tuple[str, ...]
    package: str
    version: str
    affected: str
    fixed: tuple[str, ...]
    severity: Severity
    score: float | None
    summary: str
    source: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        data["fixed"] = list(self.fixed)
        data["severity"] = self.severity.value
        return data


def find_vulnerabilities(
    packages: Iterable[Package], index: AdvisoryIndex, *, source: str
) -> list[Finding]:
    """Findings for every package version that an advisory in ``index`` covers."""
    findings = []
    for package in packages:
        for advisory in index.for_package(package.name):
            affected = advisory.affected_range(package.version)
            if affected is None:
                continue
            findings.append(
                Finding(
                    advisory_id=advisory.id,
                    aliases=advisory.aliases,
                    package=package.name,
                    version=package.version,
                    affected=affected,
                    fixed=advisory.fixed,
                    severity=advisory.severity,
                    score=advisory.score,
                    summary=advisory.summary,
                    source=source,
                )
            )
    return sorted(findings, key=lambda f: (-f.severity.rank, f.package, f.advisory_id, f.source))


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(finding.severity.value for finding in findings)
    return {severity.value: counts.get(severity.value, 0) for severity in Severity}


def failing(findings: Iterable[Finding], threshold: Severity) -> list[Finding]:
    """The findings at or above ``threshold``."""
    return [finding for finding in findings if finding.severity.at_least(threshold)]

"""The online audit: pip-audit asks its vulnerability service about each package.

pip-audit is a development dependency; an install without it gets a clear error. Its
JSON output carries no severity, so online findings are rated ``unknown``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fortresa.supplychain.audit import Finding
from fortresa.supplychain.report import ENVIRONMENT, AuditReport
from fortresa.supplychain.severity import Severity

SERVICE = "pip-audit"
TIMEOUT_SECONDS = 600


def pip_audit_executable() -> str | None:
    beside = Path(sys.executable).with_name("pip-audit")
    return str(beside) if beside.exists() else shutil.which("pip-audit")


def findings_from_pip_audit(output: Mapping[str, Any], *, source: str) -> tuple[int, list[Finding]]:
    """Packages checked and findings in one pip-audit ``--format json`` document."""
    findings = []
    checked = 0
    for dependency in output.get("dependencies") or []:
        if dependency.get("skip_reason"):
            continue
        checked += 1
        for vuln in dependency.get("vulns") or []:
            description = str(vuln.get("description") or "").strip()
            findings.append(
                Finding(
                    advisory_id=str(vuln["id"]),
                    aliases=tuple(str(alias) for alias in vuln.get("aliases") or []),
                    package=str(dependency["name"]),
                    version=str(dependency["version"]),
                    affected=f"=={dependency['version']}",
                    fixed=tuple(str(v) for v in vuln.get("fix_versions") or []),
                    severity=Severity.UNKNOWN,
                    score=None,
                    summary=description.splitlines()[0][:300] if description else "",
                    source=source,
                )
            )
    return checked, findings


def _pip_audit_command(executable: str, source: str) -> list[str]:
    command = [executable, "--format", "json", "--progress-spinner", "off"]
    if source != ENVIRONMENT:
        # A hashed, fully pinned lock needs no resolution by pip.
        command += ["--requirement", source, "--disable-pip", "--require-hashes"]
    return command


def online_audit(
    *,
    lock_files: Sequence[Path] = (),
    include_environment: bool = True,
    fail_on: Severity | None = Severity.LOW,
    executable: str | None = None,
) -> AuditReport:
    """Audit the environment and lock files with pip-audit's online service."""
    sources = ([ENVIRONMENT] if include_environment else []) + [str(p) for p in lock_files]
    report = AuditReport(mode="online", database=SERVICE, sources=sources, fail_on=fail_on)
    executable = executable or pip_audit_executable()
    if executable is None:
        report.error = "pip-audit is not installed (it comes with requirements/dev.txt)"
        return report
    for source in sources:
        try:
            completed = subprocess.run(
                _pip_audit_command(executable, source),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            report.error = f"pip-audit could not run on {source}: {exc}"
            return report
        try:
            output = json.loads(completed.stdout)
        except ValueError:
            # No JSON means pip-audit stopped before auditing (most often: no network).
            tail = completed.stderr.strip().splitlines()[-3:]
            report.error = f"pip-audit failed on {source}: " + " ".join(tail)
            return report
        checked, findings = findings_from_pip_audit(output, source=source)
        report.packages_checked += checked
        report.findings.extend(findings)
    return report

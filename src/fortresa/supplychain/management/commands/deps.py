"""``fortresa deps audit`` and ``fortresa deps sbom``: what runs here, and is any of it known bad.

Exit status of ``audit``: 0 when no finding reaches ``--fail-on``, 1 when one does, 2 when
the audit could not run (unreadable advisory directory or lock file, pip-audit failing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from fortresa.supplychain.online import online_audit
from fortresa.supplychain.report import AuditReport, offline_audit
from fortresa.supplychain.sbom import SbomError, write_sbom
from fortresa.supplychain.services import record_audit_run
from fortresa.supplychain.severity import Severity

FAIL_ON = {
    "any": Severity.LOW,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
    "none": None,
}


def _default_pyproject() -> Path | None:
    # Present in a source checkout (editable install); absent in an installed wheel.
    candidate = Path(__file__).resolve().parents[5] / "pyproject.toml"
    return candidate if candidate.is_file() else None


class Command(BaseCommand):
    help = (
        "Dependency tools. 'deps audit' checks installed and locked packages against "
        "advisories; 'deps sbom' writes a CycloneDX SBOM of the installed packages."
    )
    # An audit must run even when some other part of the configuration is unhealthy.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        audit = actions.add_parser("audit", help="check packages against known advisories")
        where = audit.add_mutually_exclusive_group(required=True)
        where.add_argument(
            "--db",
            type=Path,
            help="OSV advisory directory, e.g. a copy of the PyPA database's vulns/",
        )
        where.add_argument(
            "--online", action="store_true", help="ask pip-audit's online service instead"
        )
        audit.add_argument(
            "--lock",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help="also audit this pinned requirements file (repeatable)",
        )
        audit.add_argument(
            "--no-environment",
            action="store_true",
            help="audit only the lock files, not the packages installed here",
        )
        audit.add_argument(
            "--fail-on",
            choices=list(FAIL_ON),
            default="any",
            help="exit 1 when a finding has at least this severity (unknown counts as high)",
        )
        audit.add_argument("--json", action="store_true", help="print the report as JSON")
        audit.add_argument(
            "--no-record", action="store_true", help="do not store this run for the status page"
        )
        sbom = actions.add_parser("sbom", help="write a CycloneDX SBOM of the installed packages")
        sbom.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
        sbom.add_argument(
            "--python", default=sys.executable, help="interpreter whose packages to describe"
        )
        sbom.add_argument("--pyproject", type=Path, help="pyproject.toml of the root component")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sbom":
            self._sbom(options)
        else:
            self._audit(options)

    def _sbom(self, options: dict[str, Any]) -> None:
        output: Path | None = options["output"]
        try:
            document = write_sbom(
                output=output,
                python=options["python"],
                pyproject=options["pyproject"] or _default_pyproject(),
            )
        except SbomError as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            self.stdout.write(document, ending="")
        else:
            self.stderr.write(f"SBOM written to {output}")

    def _audit(self, options: dict[str, Any]) -> None:
        fail_on = FAIL_ON[options["fail_on"]]
        include_environment = not options["no_environment"]
        if not include_environment and not options["lock"]:
            raise CommandError("--no-environment needs at least one --lock FILE", returncode=2)
        if options["online"]:
            report = online_audit(
                lock_files=options["lock"], include_environment=include_environment, fail_on=fail_on
            )
        else:
            report = offline_audit(
                database=options["db"],
                lock_files=options["lock"],
                include_environment=include_environment,
                fail_on=fail_on,
            )
        if not options["no_record"]:
            try:
                record_audit_run(report=report)
            except DatabaseError as exc:
                self.stderr.write(f"warning: this run was not recorded: {exc}")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), indent=2))
        else:
            self._print(report)
        if report.error:
            raise CommandError(f"audit could not run: {report.error}", returncode=2)
        if report.failing:
            raise CommandError(
                f"{len(report.failing)} finding(s) at or above '{options['fail_on']}'",
                returncode=1,
            )

    def _print(self, report: AuditReport) -> None:
        for finding in report.findings:
            aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
            score = f" {finding.score}" if finding.score is not None else ""
            fixed = ", ".join(finding.fixed) or "no fixed version"
            self.stdout.write(
                f"{finding.advisory_id}{aliases} {finding.package} {finding.version} "
                f"[{finding.source}] severity {finding.severity.value}{score}; "
                f"affected {finding.affected}; fixed in {fixed}"
            )
            if finding.summary:
                self.stdout.write(f"    {finding.summary}")
        counts = ", ".join(f"{n} {level}" for level, n in report.counts.items() if n)
        summary = (
            f"{report.result}: {report.packages_checked} packages checked against "
            f"{report.database} ({', '.join(report.sources)}); "
            f"{len(report.findings)} findings{': ' + counts if counts else ''}"
        )
        style = self.style.SUCCESS if report.result == "passed" else self.style.ERROR
        self.stdout.write(style(summary))

from __future__ import annotations

import pytest

from fortresa.supplychain.online import findings_from_pip_audit, online_audit
from fortresa.supplychain.severity import Severity

pytestmark = pytest.mark.smoke

# The shape `pip-audit --format json` prints (pip-audit 2.x).
PIP_AUDIT_OUTPUT = {
    "dependencies": [
        {
            "name": "django",
            "version": "4.2.0",
            "vulns": [
                {
                    "id": "PYSEC-2024-70",
                    "fix_versions": ["4.2.15", "5.0.8"],
                    "aliases": ["CVE-2024-42005", "GHSA-pv4p-cwwg-4rph"],
                    "description": "QuerySet.values() SQL injection in column aliases.\nMore.",
                }
            ],
        },
        {"name": "sqlparse", "version": "0.5.1", "vulns": []},
        {"name": "fortresa", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}


def test_pip_audit_output_becomes_findings_of_unknown_severity() -> None:
    checked, findings = findings_from_pip_audit(PIP_AUDIT_OUTPUT, source="environment")

    assert checked == 2
    (finding,) = findings
    assert finding.advisory_id == "PYSEC-2024-70"
    assert finding.aliases == ("CVE-2024-42005", "GHSA-pv4p-cwwg-4rph")
    assert (finding.package, finding.version) == ("django", "4.2.0")
    assert finding.fixed == ("4.2.15", "5.0.8")
    assert finding.severity is Severity.UNKNOWN
    assert finding.summary == "QuerySet.values() SQL injection in column aliases."


def test_online_audit_without_pip_audit_is_an_error_not_a_pass() -> None:
    report = online_audit(executable="/nonexistent/pip-audit")

    assert report.result == "error"
    assert "could not run" in report.error

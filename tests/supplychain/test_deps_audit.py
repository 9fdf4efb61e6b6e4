from __future__ import annotations

import importlib.metadata
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fortresa.core.models import AuditEvent
from fortresa.supplychain.models import AuditRun
from tests.supplychain.conftest import REPO, write_record


def _audit(*args: str) -> tuple[int, str]:
    """Run ``fortresa deps audit`` and return its exit status and standard output."""
    out = StringIO()
    try:
        call_command("deps", "audit", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def _lock(tmp_path: Path, text: str) -> str:
    lock = tmp_path / "old.txt"
    lock.write_text(text)
    return str(lock)


@pytest.mark.smoke
def test_old_lock_fails_and_reports_the_advisory_in_json(osv_dir: Path, tmp_path: Path) -> None:
    lock = _lock(tmp_path, "django==4.2.0\n")

    status, out = _audit(
        "--db", str(osv_dir), "--lock", lock, "--no-environment", "--no-record", "--json"
    )

    report = json.loads(out)
    assert status == 1
    assert report["result"] == "failed"
    assert report["findings"] == [
        {
            "advisory_id": "TEST-2024-1",
            "aliases": ["CVE-2024-0001"],
            "package": "django",
            "version": "4.2.0",
            "affected": ">=4.2,<4.2.15",
            "fixed": ["4.2.15", "5.0.8"],
            "severity": "critical",
            "score": 9.8,
            "summary": "SQL injection in an old Django.",
            "source": lock,
        }
    ]
    assert report["counts"]["critical"] == 1


@pytest.mark.smoke
def test_lock_at_the_fixed_version_passes(osv_dir: Path, tmp_path: Path) -> None:
    lock = _lock(tmp_path, "django==4.2.15\nexample-pkg==1.3\n")

    status, out = _audit("--db", str(osv_dir), "--lock", lock, "--no-environment", "--no-record")

    assert status == 0
    assert "passed: 2 packages checked" in out


@pytest.mark.smoke
def test_findings_below_fail_on_are_reported_without_failing(osv_dir: Path, tmp_path: Path) -> None:
    lock = _lock(tmp_path, "example-pkg==1.2\n")

    status, out = _audit(
        "--db", str(osv_dir), "--lock", lock, "--no-environment", "--no-record",
        "--fail-on", "high",
    )  # fmt: skip

    assert status == 0
    assert "TEST-2024-2 example-pkg 1.2" in out
    assert "severity medium; affected <=1.2; fixed in no fixed version" in out


@pytest.mark.smoke
def test_installed_packages_are_audited(tmp_path: Path) -> None:
    installed = importlib.metadata.version("django")
    write_record(
        tmp_path / "django",
        {
            "id": "TEST-ENV-1",
            "affected": [
                {"package": {"ecosystem": "PyPI", "name": "Django"}, "versions": [installed]}
            ],
        },
    )

    status, out = _audit("--db", str(tmp_path), "--no-record", "--json")

    (finding,) = json.loads(out)["findings"]
    assert status == 1
    assert (finding["package"], finding["version"], finding["source"]) == (
        "django",
        installed,
        "environment",
    )
    assert finding["severity"] == "unknown"


@pytest.mark.smoke
def test_missing_advisory_directory_exits_2(tmp_path: Path) -> None:
    status, out = _audit("--db", str(tmp_path / "absent"), "--no-record", "--json")

    assert status == 2
    assert json.loads(out)["result"] == "error"


@pytest.mark.smoke
@pytest.mark.django_db
def test_audit_run_is_recorded_with_counts_and_findings(osv_dir: Path, tmp_path: Path) -> None:
    lock = _lock(tmp_path, "django==5.0.1\nexample-pkg==0.9\n")

    _audit("--db", str(osv_dir), "--lock", lock, "--no-environment")

    run = AuditRun.objects.get()
    assert run.result == AuditRun.Result.FAILED
    assert run.mode == "offline"
    assert run.sources == [lock]
    assert run.packages_checked == 2
    assert run.counts == {"low": 0, "medium": 1, "high": 0, "critical": 1, "unknown": 0}
    assert {f["advisory_id"] for f in run.findings} == {"TEST-2024-1", "TEST-2024-2"}
    assert AuditEvent.objects.filter(action="deps.audit", target=f"audit-run:{run.pk}").exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_audit_that_could_not_run_is_recorded_as_error(tmp_path: Path) -> None:
    _audit("--db", str(tmp_path / "absent"))

    run = AuditRun.objects.get()
    assert run.result == AuditRun.Result.ERROR
    assert "does not exist" in run.error


@pytest.mark.smoke
@pytest.mark.django_db
def test_no_record_leaves_no_audit_run(osv_dir: Path) -> None:
    _audit("--db", str(osv_dir), "--no-record")

    assert not AuditRun.objects.exists()


def test_no_environment_without_lock_is_refused(osv_dir: Path) -> None:
    status, _ = _audit("--db", str(osv_dir), "--no-environment", "--no-record")

    assert status == 2


# --- Against the dated PyPA snapshot beside the repository -------------------------------


def test_old_django_lock_has_its_known_advisories(pypa_db: Path, tmp_path: Path) -> None:
    lock = _lock(tmp_path, "django==4.2.0\nsqlparse==0.4.3\n")

    status, out = _audit(
        "--db", str(pypa_db), "--lock", lock, "--no-environment", "--no-record", "--json"
    )

    findings = {(f["package"], f["advisory_id"]): f for f in json.loads(out)["findings"]}
    assert status == 1
    json_field_injection = findings["django", "PYSEC-2024-70"]
    assert json_field_injection["aliases"] == ["CVE-2024-42005"]
    assert json_field_injection["affected"] == ">=4.2,<4.2.15"
    assert "4.2.15" in json_field_injection["fixed"]
    assert ("django", "PYSEC-2023-61") in findings  # CVE-2023-31047, multiple file upload
    assert ("sqlparse", "PYSEC-2023-87") in findings  # CVE-2023-30608, ReDoS


def test_current_locks_pass(pypa_db: Path) -> None:
    status, out = _audit(
        "--db", str(pypa_db),
        "--lock", str(REPO / "requirements/base.txt"),
        "--lock", str(REPO / "requirements/dev.txt"),
        "--no-environment", "--no-record",
    )  # fmt: skip

    assert status == 0, out


def test_every_snapshot_record_is_readable(pypa_db: Path) -> None:
    from fortresa.supplychain.osv import load_advisories

    packages = [entry.name for entry in pypa_db.iterdir() if entry.is_dir()]

    index = load_advisories(pypa_db, packages)

    assert index.records_read > 2000
    assert len(index.by_package) > 500

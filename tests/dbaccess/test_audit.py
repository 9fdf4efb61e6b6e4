"""`fortresa db audit` flags a permissive cluster and passes the hardened one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from fortresa.core.env import Env
from fortresa.dbaccess.config import DatabaseAccess
from fortresa.dbaccess.inspection import AuditReport, audit_server
from fortresa.dbaccess.schedule import beat_schedule
from fortresa.dbaccess.selectors import latest_database_audit
from fortresa.dbaccess.tasks import audit_database_server
from tests.dbaccess.cluster import ScratchCluster
from tests.dbaccess.conftest import HardenedCluster, hardened_access

pytestmark = pytest.mark.slow

PERMISSIVE_HBA = """\
local    all        all                       trust
host     all        all        0.0.0.0/0      md5
host     all        all        ::/0           trust
host     fortresa   fortresa_app 10.0.0.0/8   scram-sha-256
"""


def _admin_url(cluster: ScratchCluster) -> str:
    return f"postgresql://postgres@/fortresa?host={cluster.sockets}&port={cluster.port}"


@pytest.fixture(scope="module")
def permissive() -> Iterator[tuple[ScratchCluster, DatabaseAccess]]:
    """The kind of server the audit exists to catch."""
    cluster = ScratchCluster()
    try:
        cluster.append_conf("password_encryption = md5\nlisten_addresses = '127.0.0.1'\n")
        cluster.write_owned(cluster.data / "pg_hba.conf", PERMISSIVE_HBA)
        cluster.start()
        with cluster.admin() as conn:
            conn.execute("CREATE DATABASE fortresa")
            conn.execute("CREATE ROLE fortresa_app LOGIN SUPERUSER PASSWORD 'app-password'")
        yield cluster, replace(hardened_access(cluster), admin_url=_admin_url(cluster))
    finally:
        cluster.remove()


@pytest.fixture(scope="module")
def permissive_report(permissive: tuple[ScratchCluster, DatabaseAccess]) -> AuditReport:
    cluster, access = permissive
    with cluster.admin("fortresa") as conn:
        return audit_server(conn, access)


@pytest.mark.parametrize(
    "code",
    [
        "hba-trust",
        "hba-non-tls",
        "hba-md5",
        "hba-world-open",
        "hba-not-allowlisted",
        "hba-no-final-reject",
        "ssl-off",
        "password-encryption-md5",
        "password-md5",
        "role-superuser",
        "role-missing",
    ],
)
def test_audit_flags_each_deviation_of_a_permissive_server(
    permissive_report: AuditReport, code: str
) -> None:
    assert code in permissive_report.codes()
    assert not permissive_report.passed


def test_audit_names_the_offending_pg_hba_line(permissive_report: AuditReport) -> None:
    trust = {f.subject for f in permissive_report.findings if f.code == "hba-trust"}

    assert trust == {"pg_hba.conf line 1", "pg_hba.conf line 3"}


def test_audit_passes_the_hardened_server(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    report = audit_server(hardened_admin, hardened.access)

    assert report.findings == []
    assert report.passed


def test_audit_flags_rls_bypass_once_tenant_rls_is_required(
    hardened: HardenedCluster,
    hardened_admin,  # type: ignore[no-untyped-def]
) -> None:
    app = hardened.access.role("app")
    hardened_admin.execute(f"ALTER ROLE {app} BYPASSRLS")
    try:
        report = audit_server(hardened_admin, hardened.access)
    finally:
        hardened_admin.execute(f"ALTER ROLE {app} NOBYPASSRLS")

    assert "rls-bypassed" in report.codes()


def test_audit_flags_an_application_role_that_may_create_tables(
    hardened: HardenedCluster,
    hardened_admin,  # type: ignore[no-untyped-def]
) -> None:
    app = hardened.access.role("app")
    hardened_admin.execute(f"GRANT CREATE ON SCHEMA public TO {app}")
    try:
        report = audit_server(hardened_admin, hardened.access)
    finally:
        hardened_admin.execute(f"REVOKE CREATE ON SCHEMA public FROM {app}")

    assert "grant-ddl" in report.codes()


@pytest.mark.django_db
def test_audit_command_fails_on_the_permissive_server_and_records_the_run(
    permissive: tuple[ScratchCluster, DatabaseAccess],
) -> None:
    _cluster, access = permissive
    out = StringIO()

    with override_settings(FORTRESA_DB_ACCESS=access), pytest.raises(CommandError):
        call_command("db", "audit", "--json", stdout=out)

    printed = json.loads(out.getvalue())
    run = latest_database_audit()
    assert printed["passed"] is False
    assert run is not None
    assert run.passed is False
    assert run.error_count == len([f for f in printed["findings"] if f["severity"] == "error"])


@pytest.mark.django_db
def test_audit_command_passes_the_hardened_server_and_records_the_run(
    hardened: HardenedCluster,
) -> None:
    access = replace(hardened.access, admin_url=_admin_url(hardened.cluster))
    out = StringIO()

    with override_settings(FORTRESA_DB_ACCESS=access):
        call_command("db", "audit", stdout=out)

    run = latest_database_audit()
    assert run is not None
    assert run.passed is True
    assert "passed" in out.getvalue()


@pytest.mark.django_db
def test_daily_audit_task_records_a_run(hardened: HardenedCluster) -> None:
    access = replace(hardened.access, admin_url=_admin_url(hardened.cluster))

    with override_settings(FORTRESA_DB_ACCESS=access):
        passed = audit_database_server.delay().get()

    run = latest_database_audit()
    assert passed is True
    assert run is not None
    assert run.passed is True


@pytest.mark.smoke
def test_daily_audit_is_scheduled_only_on_postgresql() -> None:
    on_postgresql = beat_schedule(Env({}), database_engine="django.db.backends.postgresql")
    on_sqlite = beat_schedule(Env({}), database_engine="django.db.backends.sqlite3")

    assert on_postgresql["dbaccess-daily-audit"]["task"] == audit_database_server.name
    assert on_sqlite == {}

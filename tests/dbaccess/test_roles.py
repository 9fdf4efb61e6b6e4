"""`fortresa db roles` on a real cluster: least privilege, applied idempotently."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.test import override_settings
from psycopg import errors

from fortresa.core.models import AuditEvent
from fortresa.dbaccess.roles import apply_roles
from tests.dbaccess.conftest import HardenedCluster

pytestmark = pytest.mark.slow


def _attributes(conn: psycopg.Connection[tuple[object, ...]], role: str) -> tuple[object, ...]:
    row = conn.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls"
        " FROM pg_roles WHERE rolname = %s",
        [role],
    ).fetchone()
    assert row is not None
    return tuple(row)


def _grants(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants"
        " WHERE table_schema = 'public' ORDER BY 1, 2, 3"
    ).fetchall()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE bookings_booking ADD COLUMN intruder int",
        "DROP TABLE bookings_booking",
        "TRUNCATE clubs_club",
        "CREATE ROLE intruder",
        "CREATE DATABASE intruder",
        "CREATE SCHEMA intruder",
    ],
)
def test_application_role_cannot_change_schema_or_roles(
    hardened: HardenedCluster, statement: str
) -> None:
    with (
        hardened.connect("app", autocommit=True) as conn,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


def _insert_probe_club(conn: psycopg.Connection[tuple[object, ...]], slug: str) -> int:
    row = conn.execute(
        "INSERT INTO clubs_club (slug, name, timezone, languages, default_language,"
        " currency, contact_email, open_signup, created_at)"
        " VALUES (%s, 'Probe', 'UTC', '[\"en\"]', 'en', 'EUR', '', false, now()) RETURNING id",
        [slug],
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_application_role_reads_and_writes_application_tables(hardened: HardenedCluster) -> None:
    with hardened.connect("app") as conn:
        _insert_probe_club(conn, "roles-probe")
        conn.execute("UPDATE clubs_club SET name = 'Probe 2' WHERE slug = 'roles-probe'")
        deleted = conn.execute("DELETE FROM clubs_club WHERE slug = 'roles-probe'").rowcount
    assert deleted == 1


def test_application_role_cannot_rewrite_the_audit_log(hardened: HardenedCluster) -> None:
    with hardened.connect("app") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute("DELETE FROM core_auditevent")


def test_application_role_counts_schedule_changes_only_through_the_owners_triggers(
    hardened: HardenedCluster,
) -> None:
    with hardened.connect("app") as conn:
        club = _insert_probe_club(conn, "version-probe")
        conn.execute("SELECT set_config('fortresa.club_id', %s, true)", [str(club)])
        before = conn.execute("SELECT fortresa_schedule_version(%s)", [club]).fetchone()
        conn.execute(
            "INSERT INTO clubs_court (name, sport, surface, indoor, has_lights, is_active,"
            " position, club_id) VALUES ('Court 1', 'tennis', 'clay', false, false, true, 0, %s)",
            [club],
        )
        after = conn.execute("SELECT fortresa_schedule_version(%s)", [club]).fetchone()
        conn.rollback()
    assert (before, after) == ((0,), (1,))
    for statement in (
        "DELETE FROM bookings_schedulechange",
        "INSERT INTO bookings_schedulefolded (club_id, changes) VALUES (1, 0)",
        "SELECT count(*) FROM bookings_schedulechange",
    ):
        with hardened.connect("app") as conn, pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


def test_reporting_role_cannot_write(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    reporting = hardened.access.role("reporting")
    hardened_admin.execute(f"SET ROLE {reporting}")
    with pytest.raises(errors.InsufficientPrivilege):
        hardened_admin.execute("UPDATE clubs_club SET name = 'x'")


@pytest.mark.parametrize(
    "query", ["SELECT password FROM accounts_user", "SELECT session_key FROM django_session"]
)
def test_reporting_role_cannot_read_secrets(
    hardened: HardenedCluster,
    hardened_admin,
    query: str,  # type: ignore[no-untyped-def]
) -> None:
    hardened_admin.execute(f"SET ROLE {hardened.access.role('reporting')}")
    with pytest.raises(errors.InsufficientPrivilege):
        hardened_admin.execute(query)


def test_reporting_role_reads_member_names(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    everyone = hardened_admin.execute("SELECT count(*) FROM accounts_user").fetchone()
    hardened_admin.execute(f"SET ROLE {hardened.access.role('reporting')}")

    rows = hardened_admin.execute("SELECT email, full_name FROM accounts_user").fetchall()

    assert everyone is not None
    assert len(rows) == everyone[0]


def test_no_role_of_the_policy_is_privileged(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    attributes = {
        key: _attributes(hardened_admin, hardened.access.role(key))
        for key in ("owner", "app", "worker", "reporting", "backup")
    }
    # (super, createrole, createdb, replication, bypassrls)
    assert attributes == {
        "owner": (False, False, False, False, False),
        "app": (False, False, False, False, False),
        "worker": (False, False, False, False, True),
        "reporting": (False, False, False, False, True),
        "backup": (False, False, False, True, False),
    }


def test_owner_owns_every_table(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    owners = hardened_admin.execute(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    ).fetchall()
    assert owners == [(hardened.access.role("owner"),)]


def test_applying_roles_twice_changes_nothing(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    before = (_grants(hardened_admin), _attributes(hardened_admin, hardened.access.role("app")))

    changes = apply_roles(hardened_admin, hardened.access, passwords={})

    after = (_grants(hardened_admin), _attributes(hardened_admin, hardened.access.role("app")))
    assert after == before
    assert not any(change.created for change in changes)


def test_revoked_role_membership_is_removed_again(
    hardened: HardenedCluster,
    hardened_admin,  # type: ignore[no-untyped-def]
) -> None:
    app = hardened.access.role("app")
    hardened_admin.execute(f"GRANT pg_write_all_data TO {app}")

    apply_roles(hardened_admin, hardened.access, passwords={})

    member = hardened_admin.execute(
        "SELECT pg_has_role(%s, 'pg_write_all_data', 'MEMBER')", [app]
    ).fetchone()
    assert member == (False,)


@pytest.mark.django_db
def test_roles_command_reports_each_role_and_writes_an_audit_event(
    hardened: HardenedCluster,
) -> None:
    admin_url = (
        f"postgresql://postgres@/fortresa?host={hardened.cluster.sockets}"
        f"&port={hardened.cluster.port}"
    )
    out = StringIO()

    with override_settings(FORTRESA_DB_ACCESS=replace(hardened.access, admin_url=admin_url)):
        call_command("db", "roles", "--json", stdout=out)

    reported = {change["key"]: change for change in json.loads(out.getvalue())}
    assert set(reported) == {"owner", "app", "worker", "reporting", "backup"}
    assert not any(change["created"] for change in reported.values())
    assert AuditEvent.objects.filter(action="db.roles_applied").exists()

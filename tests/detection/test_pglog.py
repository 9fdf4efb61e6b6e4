"""The PostgreSQL log sensor against a real cluster's jsonlog: each alert from real events."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from fortresa.detection.models import Alert, KnownPrincipal
from fortresa.detection.sensors.pglog import PgLogAnalyzer, follow_once, read_new_records
from tests.detection.pgcluster import APP_ROLE, JsonLogCluster

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster() -> Iterator[JsonLogCluster]:
    running = JsonLogCluster()
    try:
        yield running
    finally:
        running.remove()


@pytest.fixture
def analyzer(cluster: JsonLogCluster, settings: SettingsWrapper) -> PgLogAnalyzer:
    settings.FORTRESA_DB_ALLOWED_CIDRS = ["127.0.0.1/32"]
    settings.FORTRESA_DB_APP_ROLES = [APP_ROLE]
    settings.FORTRESA_DB_APP_HOSTS = ["127.0.0.1"]
    for _ in read_new_records(cluster.jsonlog):
        pass  # earlier tests' events belong to them
    return PgLogAnalyzer()


def _wait_for(cluster: JsonLogCluster, analyzer: PgLogAnalyzer, kind: str) -> Alert:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        follow_once(cluster.jsonlog, analyzer)
        alert = Alert.objects.filter(kind=kind).first()
        if alert is not None:
            return alert
        time.sleep(0.2)
    raise AssertionError(
        f"no {kind} alert; alerts: {list(Alert.objects.values_list('kind', flat=True))}"
    )


def _fail_login(cluster: JsonLogCluster, user: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(psycopg.OperationalError):
            cluster.connect(user=user, password="wrong password")  # pragma: allowlist secret


def test_failed_logins_with_existing_role_are_brute_force_on_valid_role(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    _fail_login(cluster, APP_ROLE, 5)
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_BRUTE_FORCE_VALID_ROLE)
    assert alert.subject == "127.0.0.1"
    assert alert.evidence["role"] == APP_ROLE


def test_failed_logins_with_unknown_role_are_told_apart(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    _fail_login(cluster, "nobody", 5)
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_BRUTE_FORCE_UNKNOWN_ROLE)
    assert alert.evidence["role"] == "nobody"
    assert not Alert.objects.filter(kind=Alert.Kind.DB_BRUTE_FORCE_VALID_ROLE).exists()


def test_success_after_failures_is_critical(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    _fail_login(cluster, APP_ROLE, 5)
    cluster.connect().close()
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_LOGIN_AFTER_FAILURES)
    assert alert.severity == Alert.Severity.CRITICAL


def test_sqlmap_application_name_is_harmful_application(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    cluster.connect(application_name="sqlmap/1.10").close()
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_HARMFUL_APPLICATION)
    assert alert.severity == Alert.Severity.HIGH


def test_psql_from_application_host_is_flagged(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    cluster.connect(application_name="psql").close()
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_HARMFUL_APPLICATION)
    assert alert.subject == "psql@127.0.0.1"


def test_connection_from_outside_allowed_networks_is_unusual_location(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    cluster.startup_from("127.0.0.2", user=APP_ROLE, application_name="fortresa")
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_UNUSUAL_LOCATION)
    assert alert.subject == "127.0.0.2"


def test_new_role_after_baseline_is_unfamiliar_principal(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    now = timezone.now()
    KnownPrincipal.objects.create(role=APP_ROLE, source="127.0.0.1", first_seen=now, last_seen=now)
    cluster.connect(
        user="reporting",
        password="reporting password 42",  # pragma: allowlist secret
    ).close()  # pragma: allowlist secret
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_UNFAMILIAR_PRINCIPAL)
    assert alert.subject == "reporting@127.0.0.1"


def test_role_not_seen_for_sixty_days_is_unfamiliar_again(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    long_ago = timezone.now() - dt.timedelta(days=61)
    KnownPrincipal.objects.create(
        role=APP_ROLE, source="127.0.0.1", first_seen=long_ago, last_seen=long_ago
    )
    cluster.connect().close()
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_UNFAMILIAR_PRINCIPAL)
    assert alert.subject == f"{APP_ROLE}@127.0.0.1"


def test_known_role_raises_no_unfamiliar_alert(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    now = timezone.now()
    KnownPrincipal.objects.create(role=APP_ROLE, source="127.0.0.1", first_seen=now, last_seen=now)
    cluster.connect(application_name="psql").close()  # some alert to wait for
    _wait_for(cluster, analyzer, Alert.Kind.DB_HARMFUL_APPLICATION)
    assert not Alert.objects.filter(kind=Alert.Kind.DB_UNFAMILIAR_PRINCIPAL).exists()


def test_syntax_error_from_application_role_is_possible_vulnerability(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    with cluster.connect() as conn, pytest.raises(psycopg.errors.SyntaxError):
        conn.execute("SELECT 1 FROM pg_class WHERE relname = 'x' OR 1=1)")
    alert = _wait_for(cluster, analyzer, Alert.Kind.SQL_FAULTY_STATEMENT)
    assert alert.evidence["state_code"] == "42601"
    assert "relname" in alert.evidence["statement"]


def test_password_in_failed_statement_is_redacted(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    with cluster.connect() as conn, pytest.raises(psycopg.errors.SyntaxError):
        conn.execute("ALTER ROLE fortresa PASSWORD 'leaked-in-the-log' VALID UNTILL 'x'")
    alert = _wait_for(cluster, analyzer, Alert.Kind.SQL_FAULTY_STATEMENT)
    assert "leaked-in-the-log" not in json.dumps(alert.evidence)
    assert "ALTER ROLE" in alert.evidence["statement"]


def test_large_read_by_one_session_is_unusual_export(
    cluster: JsonLogCluster, analyzer: PgLogAnalyzer
) -> None:
    with cluster.connect() as conn:
        conn.execute("SELECT g FROM generate_series(1, 25000) AS g").fetchall()
    alert = _wait_for(cluster, analyzer, Alert.Kind.DB_UNUSUAL_EXPORT)
    assert alert.evidence["rows_read"] >= 25000

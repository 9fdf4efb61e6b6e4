"""Who may connect to the hardened cluster, and how the application connects to it."""

from __future__ import annotations

import dj_database_url
import psycopg
import pytest
from django.db.backends.postgresql.base import DatabaseWrapper

from fortresa.core.env import Env
from fortresa.dbaccess.config import configure_database_access
from tests.dbaccess.conftest import HardenedCluster

pytestmark = pytest.mark.slow


def test_application_connects_over_tls_with_a_verified_certificate(
    hardened: HardenedCluster,
) -> None:
    with hardened.connect("app") as conn:
        row = conn.execute(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
        ).fetchone()
    assert row is not None
    assert row[0] is True
    assert row[1] in ("TLSv1.2", "TLSv1.3")


def test_connection_without_tls_is_refused(hardened: HardenedCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects connection"):
        hardened.connect("app", sslmode="disable")


def test_connection_with_a_wrong_password_is_refused(hardened: HardenedCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        hardened.cluster.tcp(
            user=hardened.access.role("app"),
            password="not-the-password",  # pragma: allowlist secret
            sslmode="verify-full",
            sslrootcert=str(hardened.tls.ca_pem),
        )


def test_role_not_allowed_from_this_address_is_refused(hardened: HardenedCluster) -> None:
    # The reporting role is allowed from 127.0.0.2 only.
    with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects connection"):
        hardened.connect("reporting")


def test_superuser_cannot_connect_over_the_network(hardened: HardenedCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="pg_hba.conf rejects connection"):
        hardened.cluster.tcp(
            user="postgres",
            password="anything",  # pragma: allowlist secret
            sslmode="verify-full",
            sslrootcert=str(hardened.tls.ca_pem),
        )


def test_client_refuses_a_server_certificate_from_another_ca(hardened: HardenedCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        hardened.connect("app", sslrootcert=str(hardened.tls.other_ca_pem))


def test_client_refuses_a_certificate_for_another_host_name(hardened: HardenedCluster) -> None:
    # Reach 127.0.0.1 under a name the certificate does not carry.
    with pytest.raises(psycopg.OperationalError, match="does not match host name"):
        hardened.connect("app", host="db.elsewhere.test", hostaddr="127.0.0.1")


def test_production_settings_connect_with_verify_full(hardened: HardenedCluster) -> None:
    databases = {"default": dict(dj_database_url.parse(hardened.url("app")))}
    configure_database_access(
        databases,
        env=Env({"FORTRESA_DB_CA_FILE": str(hardened.tls.ca_pem)}),
        profile="production",
    )
    settings_dict = {**databases["default"], "TIME_ZONE": None}
    wrapper = DatabaseWrapper(settings_dict, alias="dbaccess-production-probe")

    # What Django does to open a connection, with the production OPTIONS.
    conn = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        sslmode = conn.info.get_parameters().get("sslmode")
    finally:
        conn.close()
    assert row == (True,)
    assert sslmode == "verify-full"

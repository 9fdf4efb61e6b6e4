"""Settings for database access: one URL by default, owner alias and TLS when asked."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from fortresa.core.env import ConfigError, Env
from fortresa.dbaccess.config import (
    POSTGRESQL_ENGINE,
    configure_database_access,
    role_passwords,
)
from tests.ports import free_port

pytestmark = pytest.mark.smoke

APP_URL = "postgresql://fortresa_app:app-pw@db.internal:5432/fortresa"  # pragma: allowlist secret
OWNER_URL = (
    "postgresql://fortresa_owner:owner-pw@db.internal:5432/fortresa"  # pragma: allowlist secret
)


WORKER_URL = (
    "postgresql://fortresa_worker:worker-pw@db.internal:5432/fortresa"  # pragma: allowlist secret
)


def _databases(url: str = APP_URL) -> dict[str, Any]:
    return {"default": dict(dj_database_url.parse(url))}


def test_single_url_keeps_one_alias_without_tls_options() -> None:
    databases = _databases("sqlite:////tmp/fortresa-config.sqlite3")

    configure_database_access(databases, env=Env({}), profile="embedded")

    assert list(databases) == ["default"]
    assert "sslmode" not in databases["default"].get("OPTIONS", {})


def test_migrate_url_adds_an_owner_alias_on_the_same_database() -> None:
    databases = _databases()

    configure_database_access(
        databases,
        env=Env({"FORTRESA_MIGRATE_DATABASE_URL": OWNER_URL, "FORTRESA_DB_SSLMODE": "require"}),
        profile="test",
    )

    assert databases["migrate"]["USER"] == "fortresa_owner"
    assert databases["migrate"]["NAME"] == databases["default"]["NAME"]


def _three_aliases() -> dict[str, Any]:
    """default, migrate and worker, as configured for the test profile."""
    databases = _databases()
    configure_database_access(
        databases,
        env=Env(
            {"FORTRESA_MIGRATE_DATABASE_URL": OWNER_URL, "FORTRESA_WORKER_DATABASE_URL": WORKER_URL}
        ),
        profile="test",
    )
    return databases


def test_every_postgresql_alias_uses_the_backend_with_the_deferred_transaction() -> None:
    databases = _three_aliases()

    assert {db["ENGINE"] for db in databases.values()} == {POSTGRESQL_ENGINE}


def test_web_and_worker_connections_prepare_statements_and_migrations_do_not() -> None:
    databases = _three_aliases()

    for alias in ("default", "worker"):
        options = databases[alias]["OPTIONS"]
        assert options["server_side_binding"] is True
        assert options["prepare_threshold"] == 5
    assert "server_side_binding" not in databases["migrate"].get("OPTIONS", {})
    assert "prepare_threshold" not in databases["migrate"].get("OPTIONS", {})


def test_prepared_statements_can_be_turned_off_for_an_old_pooler() -> None:
    databases = _databases()

    configure_database_access(
        databases, env=Env({"FORTRESA_DB_PREPARED_STATEMENTS": "off"}), profile="test"
    )

    assert "server_side_binding" not in databases["default"].get("OPTIONS", {})
    assert "prepare_threshold" not in databases["default"].get("OPTIONS", {})


def test_migrate_url_naming_another_database_is_refused() -> None:
    with pytest.raises(ConfigError, match="same database"):
        configure_database_access(
            _databases(),
            env=Env({"FORTRESA_MIGRATE_DATABASE_URL": OWNER_URL.replace("/fortresa", "/other")}),
            profile="test",
        )


def test_production_verifies_the_server_certificate(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    databases = _databases()

    configure_database_access(
        databases, env=Env({"FORTRESA_DB_CA_FILE": str(ca_file)}), profile="production"
    )

    assert databases["default"]["OPTIONS"]["sslmode"] == "verify-full"
    assert databases["default"]["OPTIONS"]["sslrootcert"] == str(ca_file)


def test_production_without_a_ca_file_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="FORTRESA_DB_CA_FILE"):
        configure_database_access(_databases(), env=Env({}), profile="production")


def test_production_over_a_unix_socket_needs_no_tls() -> None:
    databases = _databases("postgresql://fortresa_app@%2Fvar%2Frun%2Fpostgresql/fortresa")

    configure_database_access(databases, env=Env({}), profile="production")

    assert "sslmode" not in databases["default"].get("OPTIONS", {})


def test_unknown_sslmode_is_refused() -> None:
    with pytest.raises(ConfigError, match="FORTRESA_DB_SSLMODE"):
        configure_database_access(
            _databases(), env=Env({"FORTRESA_DB_SSLMODE": "sometimes"}), profile="test"
        )


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_world_open_allowlist_is_refused(cidr: str) -> None:
    with pytest.raises(ConfigError, match="whole internet"):
        configure_database_access(
            _databases(), env=Env({"FORTRESA_DB_ALLOWED_CIDRS": cidr}), profile="test"
        )


def test_malformed_cidr_is_refused_with_its_variable_name() -> None:
    with pytest.raises(ConfigError, match="FORTRESA_DB_APP_CIDRS"):
        configure_database_access(
            _databases(), env=Env({"FORTRESA_DB_APP_CIDRS": "10.0.0.300/24"}), profile="test"
        )


def test_per_role_ranges_fall_back_to_the_shared_allowlist() -> None:
    access = configure_database_access(
        _databases(),
        env=Env(
            {
                "FORTRESA_DB_ALLOWED_CIDRS": "10.1.0.0/24, 10.1.1.5",
                "FORTRESA_DB_BACKUP_CIDRS": "10.9.0.7/32",
            }
        ),
        profile="test",
    )

    assert access.networks_for("app") == (
        ipaddress.ip_network("10.1.0.0/24"),
        ipaddress.ip_network("10.1.1.5/32"),
    )
    assert access.networks_for("backup") == (ipaddress.ip_network("10.9.0.7/32"),)


def test_worker_url_adds_a_worker_alias_with_tls_mirroring_default_in_tests() -> None:
    databases = _databases()

    configure_database_access(
        databases,
        env=Env({"FORTRESA_WORKER_DATABASE_URL": WORKER_URL, "FORTRESA_DB_SSLMODE": "require"}),
        profile="test",
    )

    assert databases["worker"]["USER"] == "fortresa_worker"
    assert databases["worker"]["OPTIONS"]["sslmode"] == "require"
    assert databases["worker"]["TEST"] == {"MIRROR": "default"}


def test_worker_url_naming_another_database_is_refused() -> None:
    with pytest.raises(ConfigError, match="FORTRESA_WORKER_DATABASE_URL"):
        configure_database_access(
            _databases(),
            env=Env({"FORTRESA_WORKER_DATABASE_URL": WORKER_URL.replace("/fortresa", "/other")}),
            profile="test",
        )


def test_worker_password_comes_from_its_url() -> None:
    databases = _databases()
    env = Env({"FORTRESA_WORKER_DATABASE_URL": WORKER_URL})
    access = configure_database_access(databases, env=env, profile="test")

    assert role_passwords(access, env=env, databases=databases)["worker"] == "worker-pw"


def test_role_passwords_come_from_the_urls_the_roles_connect_with() -> None:
    databases = _databases()
    env = Env({"FORTRESA_MIGRATE_DATABASE_URL": OWNER_URL, "FORTRESA_DB_BACKUP_PASSWORD": "b-pw"})
    access = configure_database_access(databases, env=env, profile="test")

    passwords = role_passwords(access, env=env, databases=databases)

    assert passwords == {"owner": "owner-pw", "app": "app-pw", "backup": "b-pw"}


def test_production_start_up_names_the_missing_ca_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("k" * 64)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORTRESA_", "DATABASE_"))}
    env.update(
        FORTRESA_PROFILE="production",
        FORTRESA_VAR_DIR=str(tmp_path),
        FORTRESA_SECRET_KEY_FILE=str(key_file),
        DATABASE_URL=APP_URL,
        DJANGO_SETTINGS_MODULE="fortresa.settings",
    )

    result = subprocess.run(
        [sys.executable, "-m", "fortresa.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "FORTRESA_DB_CA_FILE" in result.stderr


@pytest.mark.parametrize("action", ["roles", "audit"])
def test_db_command_explains_an_unreachable_server(action: str) -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/fortresa?connect_timeout=3"
    access = replace(settings.FORTRESA_DB_ACCESS, admin_url=unreachable)

    with (
        override_settings(FORTRESA_DB_ACCESS=access),
        pytest.raises(CommandError, match="cannot reach the database server"),
    ):
        call_command("db", action)

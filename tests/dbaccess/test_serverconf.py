"""What `fortresa db harden` writes: server configuration, pg_hba.conf, nftables."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command
from django.test import override_settings

from fortresa.core.env import Env
from fortresa.dbaccess.config import DatabaseAccess, configure_database_access
from fortresa.dbaccess.firewall import render_nftables
from fortresa.dbaccess.serverconf import render_pg_hba, render_server_files

pytestmark = pytest.mark.smoke

REPO = Path(__file__).resolve().parents[2]
# The settings the committed examples in deploy/ are generated from (see their READMEs).
EXAMPLE_ENV = {
    "FORTRESA_DB_ALLOWED_CIDRS": "10.0.10.0/24,fd00:10::/64",
    "FORTRESA_DB_REPORTING_CIDRS": "10.0.20.5/32",
    "FORTRESA_DB_BACKUP_CIDRS": "10.0.30.0/28",
    "FORTRESA_DB_LISTEN_ADDRESSES": "localhost,10.0.10.1",
    "FORTRESA_DB_SERVER_CERT": "/etc/ssl/fortresa-db/server.crt",
    "FORTRESA_DB_SERVER_KEY": "/etc/ssl/fortresa-db/server.key",
    "FORTRESA_DB_PGAUDIT": "on",
}
EXAMPLE_CONFIG_DIR = Path("/etc/postgresql/15/main/fortresa")


def _example_access() -> DatabaseAccess:
    databases = {"default": dict(dj_database_url.parse("postgresql://x@db/fortresa"))}
    return configure_database_access(databases, env=Env(EXAMPLE_ENV), profile="test")


def _hba_rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line and not line.startswith("#")]


def _conf(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_network_lines_are_hostssl_with_scram_only() -> None:
    rows = _hba_rows(render_pg_hba(_example_access()))

    allowing = [row for row in rows if row[0] != "local" and row[-1] != "reject"]
    assert allowing
    assert {row[0] for row in allowing} == {"hostssl"}
    assert {row[-1] for row in allowing} == {"scram-sha-256"}


def test_each_role_is_allowed_only_from_its_own_ranges() -> None:
    rows = _hba_rows(render_pg_hba(_example_access()))

    reporting = {row[3] for row in rows if row[2] == "fortresa_reporting"}
    app = {row[3] for row in rows if row[2] == "fortresa_app"}
    assert reporting == {"10.0.20.5/32"}
    assert app == {"10.0.10.0/24", "fd00:10::/64"}


def test_only_the_backup_role_may_replicate() -> None:
    rows = _hba_rows(render_pg_hba(_example_access()))

    replicating = {row[2] for row in rows if row[0] == "hostssl" and row[1] == "replication"}
    assert replicating == {"fortresa_backup"}


def test_hba_ends_by_rejecting_every_other_host() -> None:
    rows = _hba_rows(render_pg_hba(_example_access()))

    assert rows[-2:] == [
        ["host", "all", "all", "0.0.0.0/0", "reject"],
        ["host", "all", "all", "::/0", "reject"],
    ]


def test_server_configuration_requires_tls_12_and_scram() -> None:
    files = render_server_files(_example_access(), config_dir=EXAMPLE_CONFIG_DIR)

    conf = _conf(files.postgresql_conf)
    assert conf["ssl"] == "on"
    assert conf["ssl_min_protocol_version"] == "'TLSv1.2'"
    assert conf["password_encryption"] == "scram-sha-256"  # pragma: allowlist secret
    assert conf["log_destination"] == "'jsonlog'"
    assert conf["listen_addresses"] == "'localhost,10.0.10.1'"


def test_pgaudit_is_loaded_only_when_enabled() -> None:
    enabled = render_server_files(_example_access(), config_dir=EXAMPLE_CONFIG_DIR)
    disabled = render_server_files(DatabaseAccess(), config_dir=EXAMPLE_CONFIG_DIR)

    assert _conf(enabled.postgresql_conf)["shared_preload_libraries"] == "'pgaudit'"
    assert _conf(enabled.postgresql_conf)["pgaudit.log"] == "'role, ddl'"
    assert "pgaudit" not in disabled.postgresql_conf


def test_firewall_admits_the_merged_allowlist_on_the_database_port_only() -> None:
    ruleset = render_nftables(_example_access())

    assert "elements = { 10.0.10.0/24, 10.0.20.5/32, 10.0.30.0/28 }" in ruleset
    assert "elements = { fd00:10::/64 }" in ruleset
    assert "tcp dport 5432 counter drop" in ruleset


@pytest.mark.skipif(shutil.which("nft") is None, reason="nftables is installed by make test")
def test_firewall_ruleset_is_valid_nftables(tmp_path: Path) -> None:
    ruleset = tmp_path / "fortresa-db.nft"
    ruleset.write_text(render_nftables(_example_access()))

    result = subprocess.run(
        ["nft", "--check", "-f", str(ruleset)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("generated", "example"),
    [
        ("postgresql.fortresa.conf", "deploy/postgresql/postgresql.fortresa.conf.example"),
        ("pg_hba.conf", "deploy/postgresql/pg_hba.conf.example"),
        ("pg_ident.conf", "deploy/postgresql/pg_ident.conf.example"),
        ("fortresa-db.nft", "deploy/nftables/fortresa-db.nft.example"),
    ],
)
def test_committed_examples_match_what_harden_writes(
    tmp_path: Path, generated: str, example: str
) -> None:
    with override_settings(FORTRESA_DB_ACCESS=_example_access()):
        call_command(
            "db", "harden", "--output-dir", str(tmp_path), "--config-dir", str(EXAMPLE_CONFIG_DIR)
        )

    assert (tmp_path / generated).read_text() == (REPO / example).read_text()

from __future__ import annotations

import getpass
import ipaddress
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from fortresa.dbaccess.config import ROLE_KEYS, DatabaseAccess
from fortresa.dbaccess.roles import apply_roles
from fortresa.dbaccess.serverconf import render_server_files
from tests.dbaccess.cluster import ScratchCluster, TlsFiles, make_tls_files

LOCALHOST = ipaddress.ip_network("127.0.0.1/32")
# Reporting may only come from another address, so from 127.0.0.1 it must be refused.
ELSEWHERE = ipaddress.ip_network("127.0.0.2/32")


@dataclass(frozen=True)
class HardenedCluster:
    cluster: ScratchCluster
    access: DatabaseAccess
    passwords: dict[str, str]
    tls: TlsFiles

    def url(self, key: str) -> str:
        role = self.access.role(key)
        return f"postgresql://{role}:{self.passwords[key]}@127.0.0.1:{self.cluster.port}/fortresa"

    def connect(self, key: str, **kwargs: object):  # type: ignore[no-untyped-def]
        kwargs.setdefault("sslmode", "verify-full")
        kwargs.setdefault("sslrootcert", str(self.tls.ca_pem))
        return self.cluster.tcp(user=self.access.role(key), password=self.passwords[key], **kwargs)


def hardened_access(cluster: ScratchCluster, **networks: tuple[object, ...]) -> DatabaseAccess:
    allowed = dict.fromkeys(ROLE_KEYS, (LOCALHOST,))
    allowed["reporting"] = (ELSEWHERE,)
    allowed.update(networks)  # type: ignore[arg-type]
    return DatabaseAccess(
        database="fortresa",
        allowed_networks=allowed,  # type: ignore[arg-type]
        listen_addresses=("127.0.0.1",),
        port=cluster.port,
        server_cert=str(cluster.data / "server.crt"),
        server_key=str(cluster.data / "server.key"),
        local_admins=tuple({"postgres", getpass.getuser()}),
        pgaudit=True,
        tenant_rls=True,
    )


def install_hardening(cluster: ScratchCluster, access: DatabaseAccess, tls: TlsFiles) -> None:
    """Write what ``fortresa db harden`` generates into the cluster and include it."""
    cluster.write_owned(cluster.data / "server.crt", tls.server_cert, 0o644)
    cluster.write_owned(cluster.data / "server.key", tls.server_key, 0o600)
    files = render_server_files(access, config_dir=cluster.conf_dir)
    cluster.write_owned(cluster.conf_dir / "postgresql.fortresa.conf", files.postgresql_conf)
    cluster.write_owned(cluster.conf_dir / "pg_hba.conf", files.pg_hba)
    cluster.write_owned(cluster.conf_dir / "pg_ident.conf", files.pg_ident)
    cluster.append_conf(f"include '{cluster.conf_dir / 'postgresql.fortresa.conf'}'\n")


def migrate_as_owner(hardened: HardenedCluster, var_dir: Path) -> subprocess.CompletedProcess[str]:
    """``fortresa migrate`` with the web URL as the app role and the migrate URL as owner."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORTRESA_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="fortresa.settings",
        FORTRESA_PROFILE="test",
        FORTRESA_VAR_DIR=str(var_dir),
        DATABASE_URL=hardened.url("app"),
        FORTRESA_MIGRATE_DATABASE_URL=hardened.url("owner"),
        FORTRESA_DB_SSLMODE="verify-full",
        FORTRESA_DB_CA_FILE=str(hardened.tls.ca_pem),
    )
    return subprocess.run(
        [sys.executable, "-m", "fortresa.cli", "migrate", "--no-input", "--skip-checks"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("db-tls"), ["127.0.0.1"])


@pytest.fixture(scope="session")
def hardened(
    tls_files: TlsFiles, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HardenedCluster]:
    """A cluster configured by the generated files, roles applied, schema migrated."""
    cluster = ScratchCluster()
    try:
        cluster.start()
        with cluster.admin() as conn:
            conn.execute("CREATE DATABASE fortresa")
        cluster.stop()
        access = hardened_access(cluster)
        install_hardening(cluster, access, tls_files)
        cluster.start()
        passwords = {key: secrets.token_hex(16) for key in ROLE_KEYS}
        with cluster.admin("fortresa") as conn:
            apply_roles(conn, access, passwords=passwords)
        result = HardenedCluster(cluster, access, passwords, tls_files)
        # No second `db roles`: the migrate wrapper applies the per-table rights itself.
        migrated = migrate_as_owner(result, tmp_path_factory.mktemp("var"))
        assert migrated.returncode == 0, migrated.stderr
        yield result
    finally:
        cluster.remove()


@pytest.fixture
def hardened_admin(hardened: HardenedCluster):  # type: ignore[no-untyped-def]
    with hardened.cluster.admin("fortresa") as conn:
        yield conn


def with_access(hardened: HardenedCluster, **changes: object) -> DatabaseAccess:
    return replace(hardened.access, **changes)  # type: ignore[arg-type]

"""Two network namespaces, one allowed and one not, against a cluster on the host side.

Each namespace is joined to the host by a veth pair in its own /30 of 10.203.117.0/29, a
range used only by these namespaces, on this machine, for the length of the test:
allowed ns 10.203.117.2 <-> host 10.203.117.1, denied ns 10.203.117.6 <-> host
10.203.117.5. The cluster listens on the two host-side addresses only. Namespaces, links
and the nftables table are removed even when a test fails.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from fortresa.dbaccess.config import ROLE_KEYS, DatabaseAccess
from fortresa.dbaccess.firewall import render_nftables
from fortresa.dbaccess.roles import apply_roles
from tests.dbaccess.cluster import ScratchCluster, TlsFiles, make_tls_files
from tests.dbaccess.conftest import hardened_access, install_hardening

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("netns"),
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nft") is None,
        reason="network namespaces and nftables need root, iproute2 and nftables",
    ),
]

ALLOWED = {"host": "10.203.117.1", "peer": "10.203.117.2"}
DENIED = {"host": "10.203.117.5", "peer": "10.203.117.6"}


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


@dataclass(frozen=True)
class Namespaces:
    allowed: str
    denied: str


@pytest.fixture(scope="module")
def namespaces() -> Iterator[Namespaces]:
    tag = f"{os.getpid() % 100000}"
    made: list[str] = []
    links: list[str] = []
    try:
        for label, addresses in (("a", ALLOWED), ("d", DENIED)):
            ns, host_link, peer_link = f"fortresa-db-{label}{tag}", f"fzdb{label}{tag}", "eth0"
            _ip("netns", "add", ns)
            made.append(ns)
            _ip("link", "add", host_link, "type", "veth", "peer", "name", f"fzdp{label}{tag}")
            links.append(host_link)
            _ip("link", "set", f"fzdp{label}{tag}", "netns", ns)
            _ip("-n", ns, "link", "set", f"fzdp{label}{tag}", "name", peer_link)
            _ip("addr", "add", f"{addresses['host']}/30", "dev", host_link)
            _ip("link", "set", host_link, "up")
            _ip("-n", ns, "addr", "add", f"{addresses['peer']}/30", "dev", peer_link)
            _ip("-n", ns, "link", "set", peer_link, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield Namespaces(allowed=made[0], denied=made[1])
    finally:
        for link in links:
            subprocess.run(["ip", "link", "del", link], capture_output=True, check=False)
        for ns in made:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


@dataclass(frozen=True)
class HostCluster:
    cluster: ScratchCluster
    tls: TlsFiles
    password: str
    access: DatabaseAccess


@pytest.fixture(scope="module")
def host_cluster(
    namespaces: Namespaces, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostCluster]:
    """A hardened cluster on the host addresses; the app role only from the allowed ns,
    the worker role from both (so the firewall test has something only nftables stops)."""
    tls = make_tls_files(tmp_path_factory.mktemp("netns-tls"), [ALLOWED["host"], DENIED["host"]])
    cluster = ScratchCluster()
    try:
        cluster.start()
        with cluster.admin() as conn:
            conn.execute("CREATE DATABASE fortresa")
        cluster.stop()
        access = replace(
            hardened_access(
                cluster,
                app=(ipaddress.ip_network(f"{ALLOWED['peer']}/32"),),
                worker=(ipaddress.ip_network("10.203.117.0/29"),),
            ),
            listen_addresses=(ALLOWED["host"], DENIED["host"]),
        )
        install_hardening(cluster, access, tls)
        cluster.start()
        password = secrets.token_hex(16)
        with cluster.admin("fortresa") as conn:
            apply_roles(conn, access, passwords=dict.fromkeys(ROLE_KEYS, password))
        yield HostCluster(cluster, tls, password, access)
    finally:
        cluster.remove()


def _psql_from(
    ns: str, server: HostCluster, *, role: str, host: str
) -> subprocess.CompletedProcess[str]:
    conninfo = (
        f"host={host} port={server.cluster.port} dbname=fortresa user={role} "
        f"sslmode=verify-full sslrootcert={server.tls.ca_pem} connect_timeout=3"
    )
    return subprocess.run(
        ["ip", "netns", "exec", ns, "psql", conninfo, "-Atc", "SELECT inet_client_addr()"],
        env={**os.environ, "PGPASSWORD": server.password},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_application_connects_from_the_allowed_namespace(
    namespaces: Namespaces, host_cluster: HostCluster
) -> None:
    result = _psql_from(namespaces.allowed, host_cluster, role="fortresa_app", host=ALLOWED["host"])

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ALLOWED["peer"]


def test_application_is_refused_from_the_other_namespace(
    namespaces: Namespaces, host_cluster: HostCluster
) -> None:
    result = _psql_from(namespaces.denied, host_cluster, role="fortresa_app", host=DENIED["host"])

    assert result.returncode != 0
    assert f'pg_hba.conf rejects connection for host "{DENIED["peer"]}"' in result.stderr


def test_firewall_drops_the_other_namespace_before_postgresql_sees_it(
    namespaces: Namespaces, host_cluster: HostCluster, tmp_path: Path
) -> None:
    access = replace(
        host_cluster.access,
        allowed_networks={"app": (ipaddress.ip_network(f"{ALLOWED['peer']}/32"),)},
    )
    table = f"fortresa_db_test_{os.getpid()}"
    ruleset = tmp_path / "fortresa-db.nft"
    ruleset.write_text(render_nftables(access, table=table))
    before = _psql_from(
        namespaces.denied, host_cluster, role="fortresa_worker", host=DENIED["host"]
    )
    subprocess.run(["nft", "-f", str(ruleset)], check=True, capture_output=True, timeout=30)
    try:
        blocked = _psql_from(
            namespaces.denied, host_cluster, role="fortresa_worker", host=DENIED["host"]
        )
        allowed = _psql_from(
            namespaces.allowed, host_cluster, role="fortresa_worker", host=ALLOWED["host"]
        )
    finally:
        subprocess.run(["nft", "delete", "table", "inet", table], capture_output=True, check=False)

    assert before.returncode == 0, before.stderr
    assert blocked.returncode != 0
    assert "timeout expired" in blocked.stderr
    assert allowed.returncode == 0, allowed.stderr

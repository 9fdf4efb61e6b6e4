"""Throw-away PostgreSQL clusters run as the ``postgres`` OS user on their own port.

The machine's main cluster (port 5432) is never touched: each scratch cluster has its
own data directory, port and socket directory under a fresh /tmp directory.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.ports import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


class ScratchCluster:
    """initdb, configure, start, stop and remove one cluster."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fortresa-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.conf_dir = self.root / "conf"
        for directory in (self.sockets, self.conf_dir):
            directory.mkdir()
            shutil.chown(directory, "postgres", "postgres")
        self.port = free_port()
        self.log = self.root / "server.log"
        _as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        )
        self.append_conf(
            f"port = {self.port}\nunix_socket_directories = '{self.sockets}'\n"
            "listen_addresses = ''\nfsync = off\n"
        )

    def append_conf(self, text: str) -> None:
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(text)

    def write_owned(self, path: Path, content: str | bytes, mode: int = 0o600) -> Path:
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        shutil.chown(path, "postgres", "postgres")
        path.chmod(mode)
        return path

    def start(self) -> None:
        result = _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "start",
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"cluster did not start: {result.stderr}\n{log[-3000:]}")

    def stop(self) -> None:
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False
        )

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """The superuser over the local socket (trust, or peer through the ident map)."""
        return psycopg.connect(
            host=str(self.sockets),
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            **kwargs,
        )

    def tcp(
        self,
        *,
        user: str,
        password: str,
        host: str = "127.0.0.1",
        dbname: str = "fortresa",
        **kwargs: Any,
    ) -> psycopg.Connection[Any]:
        kwargs.setdefault("connect_timeout", 5)
        return psycopg.connect(
            host=host, port=self.port, user=user, password=password, dbname=dbname, **kwargs
        )


@dataclass(frozen=True)
class TlsFiles:
    ca_pem: Path
    other_ca_pem: Path
    server_cert: bytes
    server_key: bytes


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def make_tls_files(directory: Path, addresses: list[str]) -> TlsFiles:
    """A test CA, a server certificate for localhost and ``addresses``, and a stranger CA."""
    ca_key, ca_cert = _ca("Fortresa test database CA")
    _other_key, other_cert = _ca("Somebody else's CA")
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem = directory / "ca.pem"
    ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    other_pem = directory / "other-ca.pem"
    other_pem.write_bytes(other_cert.public_bytes(serialization.Encoding.PEM))
    return TlsFiles(
        ca_pem=ca_pem,
        other_ca_pem=other_pem,
        server_cert=cert.public_bytes(serialization.Encoding.PEM),
        server_key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )

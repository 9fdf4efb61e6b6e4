"""The local certificate authority of the embedded default, and production's certificate.

``make run`` serves HTTPS on a development machine without asking anyone to run the
openssl CLI: a private CA is created once under ``var/tls/`` and signs a short-lived
server certificate for the loopback names. The CA carries name constraints, so trusting
it in a browser can never let its key vouch for a real domain. Production never
generates anything: it serves the certificate and key it is given.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured

SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
CA_LIFETIME = dt.timedelta(days=3650)
SERVER_LIFETIME = dt.timedelta(days=90)
# A certificate this close to expiry is replaced at the next start.
RENEW_BEFORE = dt.timedelta(days=30)
# Tolerates a client clock a little behind ours.
BACKDATE = dt.timedelta(minutes=5)


class TlsConfigError(ImproperlyConfigured):
    """The server certificate or key is missing or unusable; the message says which."""


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path

    @classmethod
    def in_dir(cls, tls_dir: Path) -> TlsFiles:
        return cls(
            ca_cert=tls_dir / "ca.pem",
            ca_key=tls_dir / "ca-key.pem",
            server_cert=tls_dir / "server.pem",
            server_key=tls_dir / "server-key.pem",
        )


@dataclass(frozen=True)
class LocalCaResult:
    files: TlsFiles
    ca_issued: bool
    server_issued: bool


def ensure_local_ca(
    tls_dir: Path,
    *,
    names: tuple[str, ...] = SERVER_NAMES,
    now: dt.datetime | None = None,
) -> LocalCaResult:
    """Create or renew the local CA and the server certificate in ``tls_dir``.

    The server certificate is reissued when it or its key is missing, when it expires
    within 30 days, when it does not cover ``names`` or was not signed by the current CA.
    """
    moment = now or dt.datetime.now(dt.UTC)
    tls_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    files = TlsFiles.in_dir(tls_dir)

    ca = _load_valid_ca(files, names, moment)
    ca_issued = ca is None
    if ca is None:
        ca = _issue_ca(files, names, moment)
    ca_cert, ca_key = ca

    server_issued = ca_issued or _server_needs_reissue(files, ca_cert, names, moment)
    if server_issued:
        _issue_server(files, ca_cert, ca_key, names, moment)
    return LocalCaResult(files=files, ca_issued=ca_issued, server_issued=server_issued)


def production_tls_files(cert: str, key: str) -> tuple[Path, Path]:
    """Check the operator-provided certificate and key exist and can be read."""
    paths = []
    for variable, value in (("FORTRESA_TLS_CERT", cert), ("FORTRESA_TLS_KEY", key)):
        if not value:
            raise TlsConfigError(f"{variable} must name the server's PEM file in production")
        path = Path(value)
        if not path.is_file() or not os.access(path, os.R_OK):
            raise TlsConfigError(
                f"{variable}={value} is not a readable file; outside the embedded default, "
                "set FORTRESA_TLS_CERT and FORTRESA_TLS_KEY to your certificate and key"
            )
        paths.append(path)
    certificate = _read_certificate(paths[0])
    if certificate is None:
        raise TlsConfigError(f"FORTRESA_TLS_CERT={cert} holds no PEM certificate")
    if pem_label(paths[1].read_bytes()) != "PRIVATE KEY":
        raise TlsConfigError(
            f"FORTRESA_TLS_KEY={key} must be an unencrypted PKCS#8 PEM key "
            "(convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8)"
        )
    return paths[0], paths[1]


def pem_label(data: bytes) -> str | None:
    """The label of the first PEM block: PKCS#8 keys say just "PRIVATE KEY"."""
    match = re.search(rb"-----BEGIN ([A-Z0-9 ]+)-----", data)
    return match.group(1).decode() if match else None


def certificate_covers(certificate: x509.Certificate, names: tuple[str, ...]) -> bool:
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    dns = set(san.get_values_for_type(x509.DNSName))
    ips = set(san.get_values_for_type(x509.IPAddress))
    for name in names:
        ip = _as_ip(name)
        if (ip is None and name not in dns) or (ip is not None and ip not in ips):
            return False
    return True


# --- issuing -------------------------------------------------------------------------


def _issue_ca(
    files: TlsFiles, names: tuple[str, ...], now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fortresa local development"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Fortresa local CA {now:%Y-%m-%d %H:%M}"),
        ]
    )
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(_name_constraints(names), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(files.ca_key, _pkcs8(key))
    _write_public(files.ca_cert, certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, key


def _issue_server(
    files: TlsFiles,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    names: tuple[str, ...],
    now: dt.datetime,
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    general_names: list[x509.GeneralName] = []
    for name in names:
        ip = _as_ip(name)
        general_names.append(x509.DNSName(name) if ip is None else x509.IPAddress(ip))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + SERVER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(general_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    # Key first: a certificate without its key is detected and reissued next start.
    _write_private(files.server_key, _pkcs8(key))
    _write_public(files.server_cert, certificate.public_bytes(serialization.Encoding.PEM))


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _name_constraints(names: tuple[str, ...]) -> x509.NameConstraints:
    permitted: list[x509.GeneralName] = []
    for name in names:
        ip = _as_ip(name)
        if ip is None:
            permitted.append(x509.DNSName(name))
        else:
            permitted.append(x509.IPAddress(ipaddress.ip_network(ip)))
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


# --- checking ------------------------------------------------------------------------


def _load_valid_ca(
    files: TlsFiles, names: tuple[str, ...], now: dt.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    certificate = _read_certificate(files.ca_cert)
    key = _read_key(files.ca_key)
    if certificate is None or key is None:
        return None
    if certificate.public_key() != key.public_key():
        return None
    if certificate.not_valid_after_utc - now < RENEW_BEFORE:
        return None
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.NameConstraints).value
    except x509.ExtensionNotFound:
        return None
    if constraints != _name_constraints(names):
        return None
    return certificate, key


def _server_needs_reissue(
    files: TlsFiles, ca_cert: x509.Certificate, names: tuple[str, ...], now: dt.datetime
) -> bool:
    certificate = _read_certificate(files.server_cert)
    key = _read_key(files.server_key)
    if certificate is None or key is None or certificate.public_key() != key.public_key():
        return True
    if certificate.not_valid_after_utc - now < RENEW_BEFORE:
        return True
    if not certificate_covers(certificate, names):
        return True
    try:
        certificate.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return True
    return False


def _read_certificate(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _as_ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


# --- writing -------------------------------------------------------------------------


def _pkcs8(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_private(path: Path, content: bytes) -> None:
    _write_atomically(path, content, 0o600)


def _write_public(path: Path, content: bytes) -> None:
    _write_atomically(path, content, 0o644)


def _write_atomically(path: Path, content: bytes, mode: int) -> None:
    # mkstemp creates the file 0600, so a key is never readable by others, even briefly;
    # the rename means a crash never leaves half a certificate behind.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

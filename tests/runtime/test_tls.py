from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from fortresa.hardening.tls import (
    TlsConfigError,
    ensure_local_ca,
    pem_label,
    production_tls_files,
)

pytestmark = pytest.mark.smoke

NOW = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)


def _certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_first_run_creates_ca_and_server_certificate_for_loopback_names(tmp_path: Path) -> None:
    result = ensure_local_ca(tmp_path, now=NOW)

    server = _certificate(result.files.server_cert)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    assert set(san.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    server.verify_directly_issued_by(_certificate(result.files.ca_cert))
    assert result.ca_issued
    assert result.server_issued


def test_server_certificate_is_a_short_lived_p256_server_auth_leaf(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files

    server = _certificate(files.server_cert)

    assert server.public_key().curve.name == "secp256r1"  # type: ignore[union-attr]
    eku = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert server.not_valid_after_utc - NOW <= dt.timedelta(days=90)


def test_ca_is_constrained_to_loopback_names(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files

    ca = _certificate(files.ca_cert)

    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert x509.DNSName("localhost") in (constraints.value.permitted_subtrees or [])


def test_private_keys_are_pkcs8_and_owner_only(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files

    for key in (files.ca_key, files.server_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert pem_label(key.read_bytes()) == "PRIVATE KEY"


def test_second_run_keeps_valid_certificates(tmp_path: Path) -> None:
    first = ensure_local_ca(tmp_path, now=NOW)
    serial = _certificate(first.files.server_cert).serial_number

    again = ensure_local_ca(tmp_path, now=NOW + dt.timedelta(days=30))

    assert not again.ca_issued
    assert not again.server_issued
    assert _certificate(again.files.server_cert).serial_number == serial


def test_server_certificate_expiring_within_30_days_is_reissued(tmp_path: Path) -> None:
    first = ensure_local_ca(tmp_path, now=NOW)
    ca_serial = _certificate(first.files.ca_cert).serial_number

    later = ensure_local_ca(tmp_path, now=NOW + dt.timedelta(days=61))

    assert later.server_issued
    assert not later.ca_issued
    assert _certificate(later.files.ca_cert).serial_number == ca_serial
    remaining = _certificate(later.files.server_cert).not_valid_after_utc - NOW
    assert remaining > dt.timedelta(days=140)


def test_missing_server_key_is_reissued(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files
    files.server_key.unlink()

    result = ensure_local_ca(tmp_path, now=NOW)

    assert result.server_issued
    assert files.server_key.exists()


def test_certificate_not_covering_the_names_is_reissued(tmp_path: Path) -> None:
    ensure_local_ca(tmp_path, names=("localhost",), now=NOW)

    result = ensure_local_ca(tmp_path, now=NOW)

    assert result.server_issued
    san = _certificate(result.files.server_cert).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert ipaddress.ip_address("127.0.0.1") in san.value.get_values_for_type(x509.IPAddress)


def test_server_certificate_of_another_ca_is_reissued(tmp_path: Path) -> None:
    other = ensure_local_ca(tmp_path / "other", now=NOW).files
    files = ensure_local_ca(tmp_path / "mine", now=NOW).files
    files.server_cert.write_bytes(other.server_cert.read_bytes())
    files.server_key.write_bytes(other.server_key.read_bytes())

    result = ensure_local_ca(tmp_path / "mine", now=NOW)

    assert result.server_issued
    _certificate(files.server_cert).verify_directly_issued_by(_certificate(files.ca_cert))


def test_production_refuses_missing_certificate(tmp_path: Path) -> None:
    with pytest.raises(TlsConfigError, match="FORTRESA_TLS_CERT"):
        production_tls_files(str(tmp_path / "absent.pem"), str(tmp_path / "absent-key.pem"))


def test_production_refuses_a_key_that_is_not_pkcs8(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files
    legacy_key = tmp_path / "legacy-key.pem"
    # A real key of this run, written in the traditional (SEC1) form granian refuses.
    legacy_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )

    with pytest.raises(TlsConfigError, match="PKCS#8"):
        production_tls_files(str(files.server_cert), str(legacy_key))


def test_production_accepts_readable_certificate_and_key(tmp_path: Path) -> None:
    files = ensure_local_ca(tmp_path, now=NOW).files

    assert production_tls_files(str(files.server_cert), str(files.server_key)) == (
        files.server_cert,
        files.server_key,
    )

"""Each fortresa.W0xx deployment check fires on the weakness it names, and only then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from django.core.checks import run_checks

pytestmark = pytest.mark.smoke


def _codes() -> set[str]:
    return {
        str(message.id)
        for message in run_checks(include_deployment_checks=True)
        if str(message.id).startswith("fortresa.W")
    }


def _write_certificate(
    directory: Path,
    *,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    lifetime: dt.timedelta = dt.timedelta(days=90),
) -> tuple[Path, Path]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + lifetime)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_default_settings_raise_no_fortresa_warning() -> None:
    assert _codes() == set()


def test_short_hsts_is_w001(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 3600
    assert "fortresa.W001" in _codes()


def test_hsts_off_is_w001(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 0
    assert "fortresa.W001" in _codes()


def test_hsts_without_subdomains_is_w002(settings: Any) -> None:
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    assert "fortresa.W002" in _codes()


def test_debug_on_is_w003(settings: Any) -> None:
    settings.DEBUG = True
    assert "fortresa.W003" in _codes()


@pytest.mark.parametrize("key", ["", "short", "django-insecure-" + "x" * 60, "ab" * 40])
def test_weak_secret_key_is_w004(settings: Any, key: str) -> None:
    settings.SECRET_KEY = key
    assert "fortresa.W004" in _codes()


def test_unknown_tls_policy_is_w005(settings: Any) -> None:
    settings.FORTRESA_TLS_POLICY = "old"
    assert "fortresa.W005" in _codes()


def test_missing_certificate_in_production_is_w006(settings: Any, tmp_path: Path) -> None:
    settings.PROFILE = "production"
    settings.FORTRESA_SECURITY_CONTACT = ["mailto:security@example.test"]
    settings.TLS_CERT = str(tmp_path / "absent.pem")
    settings.TLS_KEY = str(tmp_path / "absent-key.pem")
    assert "fortresa.W006" in _codes()


def test_weak_rsa_certificate_is_w006(settings: Any, tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the weakness under test
    settings.TLS_CERT, settings.TLS_KEY = map(str, _write_certificate(tmp_path, key=weak))
    assert "fortresa.W006" in _codes()


def test_certificate_expiring_within_two_weeks_is_w006(settings: Any, tmp_path: Path) -> None:
    cert, key = _write_certificate(tmp_path, lifetime=dt.timedelta(days=3))
    settings.TLS_CERT, settings.TLS_KEY = str(cert), str(key)
    assert "fortresa.W006" in _codes()


def test_good_certificate_raises_no_w006(settings: Any, tmp_path: Path) -> None:
    cert, key = _write_certificate(tmp_path)
    settings.TLS_CERT, settings.TLS_KEY = str(cert), str(key)
    assert "fortresa.W006" not in _codes()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECURE_CONTENT_TYPE_NOSNIFF", False),
        ("SECURE_REFERRER_POLICY", "unsafe-url"),
        ("SECURE_CROSS_ORIGIN_OPENER_POLICY", None),
        ("X_FRAME_OPTIONS", "SAMEORIGIN"),
    ],
)
def test_weakened_secure_setting_is_w007(settings: Any, name: str, value: object) -> None:
    setattr(settings, name, value)
    assert "fortresa.W007" in _codes()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSION_COOKIE_NAME", "sessionid"),
        ("SESSION_COOKIE_SECURE", False),
        ("CSRF_COOKIE_HTTPONLY", False),
        ("LANGUAGE_COOKIE_SAMESITE", None),
        ("SESSION_COOKIE_DOMAIN", "example.test"),
    ],
)
def test_weakened_cookie_is_w008(settings: Any, name: str, value: object) -> None:
    setattr(settings, name, value)
    assert "fortresa.W008" in _codes()


def test_plain_http_form_action_origin_is_w009(settings: Any) -> None:
    settings.FORTRESA_CSP_FORM_ACTION = ["http://pay.example.test"]
    assert "fortresa.W009" in _codes()


def test_https_form_action_origin_raises_no_w009(settings: Any) -> None:
    settings.FORTRESA_CSP_FORM_ACTION = ["https://pay.example.test"]
    assert "fortresa.W009" not in _codes()


def test_production_without_security_contact_is_w010(settings: Any) -> None:
    settings.PROFILE = "production"
    settings.FORTRESA_SECURITY_CONTACT = []
    assert "fortresa.W010" in _codes()


def test_production_wildcard_allowed_hosts_is_w011(settings: Any) -> None:
    settings.PROFILE = "production"
    settings.ALLOWED_HOSTS = ["*"]
    assert "fortresa.W011" in _codes()


def test_header_middleware_not_first_is_w012(settings: Any) -> None:
    middleware = [m for m in settings.MIDDLEWARE if "SecurityHeaders" not in m]
    middleware.append("fortresa.hardening.middleware.SecurityHeadersMiddleware")
    settings.MIDDLEWARE = middleware
    assert "fortresa.W012" in _codes()


def test_production_without_the_https_redirect_is_w013(settings: Any) -> None:
    settings.PROFILE = "production"
    settings.SECURE_SSL_REDIRECT = False
    assert "fortresa.W013" in _codes()
    settings.SECURE_SSL_REDIRECT = True
    assert "fortresa.W013" not in _codes()


def test_djangos_own_header_middleware_is_not_asked_for() -> None:
    # SecurityHeadersMiddleware does their work; Django would otherwise report them missing.
    reported = {
        str(message.id)
        for message in run_checks(include_deployment_checks=True)
        if not message.is_silenced()
    }
    assert not reported & {"security.W001", "security.W002"}

"""What is wrong, if anything, with the certificate and key a server is about to serve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
RENEW_WARNING = dt.timedelta(days=14)
WEAK_HASHES = (hashes.MD5, hashes.SHA1)


def certificate_problems(
    cert_path: str, key_path: str, *, required: bool, now: dt.datetime | None = None
) -> list[str]:
    """Human-readable problems; empty when the pair is fine (or absent and not required)."""
    cert_file, key_file = Path(cert_path), Path(key_path)
    if not cert_file.exists() and not required:
        return []
    try:
        certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
    except (OSError, ValueError):
        return ["cannot be read as a PEM certificate"]
    problems = []
    moment = now or dt.datetime.now(dt.UTC)
    if certificate.not_valid_after_utc <= moment:
        problems.append(f"expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    elif certificate.not_valid_after_utc - moment < RENEW_WARNING:
        problems.append(f"expires on {certificate.not_valid_after_utc:%Y-%m-%d}, within 14 days")
    algorithm = certificate.signature_hash_algorithm
    if algorithm is not None and isinstance(algorithm, WEAK_HASHES):
        problems.append(f"signed with {algorithm.name}")
    public_key = certificate.public_key()
    if isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size < MIN_RSA_BITS:
        problems.append(f"RSA key of {public_key.key_size} bits")
    elif isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.key_size < MIN_EC_BITS:
        problems.append(f"EC key of {public_key.key_size} bits")
    elif not isinstance(
        public_key,
        rsa.RSAPublicKey
        | ec.EllipticCurvePublicKey
        | ed25519.Ed25519PublicKey
        | ed448.Ed448PublicKey,
    ):
        problems.append("key type not usable for TLS")
    try:
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        problems.append(f"its key {key_path} cannot be read as an unencrypted PEM key")
    else:
        if key.public_key() != public_key:
            problems.append(f"its key {key_path} does not match it")
    return problems

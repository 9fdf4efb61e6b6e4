"""The deployment's Ed25519 key that signs ``/security.json``, and the canonical form signed.

The key is derived from the secret ``FORTRESA_TRUST_SIGNING_KEY`` (HKDF-SHA256, 32 bytes,
used as the Ed25519 seed). The embedded default generates that secret into
``var/secrets/`` (mode 0600) like every other secret; production must be given it.

Canonical form: the UTF-8 bytes of the ``document`` object serialised as JSON with keys
sorted, no insignificant whitespace (``,`` and ``:`` separators) and non-ASCII characters
written as themselves. The document holds only objects, arrays, strings, integers,
booleans and null (no fractions: percentages are strings), so this is the same byte
sequence as the JSON Canonicalization Scheme (RFC 8785) gives.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

ALGORITHM = "Ed25519"
_INFO = b"fortresa security page signing key v1"


def canonical_bytes(document: Any) -> bytes:
    _refuse_fractions(document)
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _refuse_fractions(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("the signed document holds no fractions; give them as text")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_fractions(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_fractions(item)


def signing_key() -> Ed25519PrivateKey:
    secret = str(settings.FORTRESA_TRUST_SIGNING_KEY).encode("utf-8")
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes(key: Ed25519PrivateKey | None = None) -> bytes:
    return (key or signing_key()).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_text() -> str:
    """The public key as standard base64 of its 32 raw bytes, as the page publishes it."""
    return base64.b64encode(public_key_bytes()).decode("ascii")


def key_fingerprint() -> str:
    """SHA-256 of the raw public key, hex: a short name to compare keys by."""
    return hashlib.sha256(public_key_bytes()).hexdigest()


def sign_document(document: dict[str, Any]) -> dict[str, Any]:
    """The envelope served as /security.json: the document and its signature."""
    key = signing_key()
    signature = key.sign(canonical_bytes(document))
    return {
        "document": document,
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(public_key_bytes(key)).decode("ascii"),
            "key_fingerprint": hashlib.sha256(public_key_bytes(key)).hexdigest(),
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }

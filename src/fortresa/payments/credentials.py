"""Each club's gateway credentials, sealed with AES-256-GCM before they reach the database.

The key is derived (HKDF-SHA256) from ``FORTRESA_PAYMENT_KEY``, a secret read through
``core.env.Env.secret`` like every other one. The club's id is the associated data, so a
sealed blob copied onto another club's row does not open.
"""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = b"v1"
_NONCE_BYTES = 12


class CredentialsUnreadable(Exception):
    """The sealed credentials do not open with this key (wrong key, other club, tampering)."""


def _key() -> bytes:
    secret = str(settings.FORTRESA_PAYMENT_KEY).encode()
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"fortresa payments: gateway credentials v1",
    ).derive(secret)


def seal_credentials(values: dict[str, str], *, club_id: int) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(values, sort_keys=True).encode()
    return _VERSION + nonce + AESGCM(_key()).encrypt(nonce, plain, f"club:{club_id}".encode())


def open_credentials(sealed: bytes, *, club_id: int) -> dict[str, str]:
    blob = bytes(sealed)
    if not blob.startswith(_VERSION):
        raise CredentialsUnreadable("unknown credentials format")
    nonce = blob[len(_VERSION) : len(_VERSION) + _NONCE_BYTES]
    body = blob[len(_VERSION) + _NONCE_BYTES :]
    try:
        plain = AESGCM(_key()).decrypt(nonce, body, f"club:{club_id}".encode())
    except InvalidTag:
        raise CredentialsUnreadable("credentials do not open with this key") from None
    values = json.loads(plain)
    return {str(k): str(v) for k, v in values.items()}

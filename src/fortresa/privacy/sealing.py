"""Sealing what an erasure removed, with a key the platform hands out and forgets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@dataclass(frozen=True)
class Sealed:
    blob: bytes
    key_hash: str


class SealBroken(Exception):
    """Wrong key, or the sealed data was changed."""


def _hash(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def seal_snapshot(snapshot: dict[str, Any], *, pseudonym: str) -> tuple[str, Sealed]:
    """Encrypt ``snapshot`` (AES-256-GCM, bound to the pseudonym) under a fresh key.

    Returns the key (URL-safe text, for the member's undo link) and what to store.
    """
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    plain = json.dumps(snapshot, ensure_ascii=False).encode()
    blob = nonce + AESGCM(key).encrypt(nonce, plain, pseudonym.encode())
    text = base64.urlsafe_b64encode(key).decode().rstrip("=")
    return text, Sealed(blob=blob, key_hash=_hash(key))


def open_snapshot(*, key_text: str, sealed: bytes, key_hash: str, pseudonym: str) -> dict[str, Any]:
    """Decrypt a sealed snapshot with the member's key, or raise ``SealBroken``."""
    try:
        key = base64.urlsafe_b64decode(key_text + "=" * (-len(key_text) % 4))
    except (ValueError, TypeError):
        raise SealBroken("malformed key") from None
    if len(key) != 32 or not hmac.compare_digest(_hash(key), key_hash):
        raise SealBroken("wrong key")
    try:
        plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], pseudonym.encode())
    except InvalidTag:
        raise SealBroken("sealed data changed") from None
    loaded = json.loads(plain)
    if not isinstance(loaded, dict):
        raise SealBroken("unexpected content")
    return loaded

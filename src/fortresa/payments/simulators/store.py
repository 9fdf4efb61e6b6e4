"""The simulators' state: JSON-able records in Django's cache, under one namespace.

The cache is shared by every process of the embedded default (file-based) or the
deployment (Redis), so a demo served by several workers sees one gateway.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.core.cache import cache

TTL = 7 * 24 * 3600


def token(prefix: str = "", length: int = 24, alphabet: str = string.ascii_letters) -> str:
    return prefix + "".join(secrets.choice(alphabet + string.digits) for _ in range(length))


@dataclass
class Outgoing:
    """A notification the simulated gateway sends to the merchant."""

    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"
    meta: dict[str, str] = field(default_factory=dict)


class SimulatorStore:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def _key(self, kind: str, ident: str) -> str:
        return f"paysim:{self.namespace}:{kind}:{ident}"

    def get(self, kind: str, ident: str) -> dict[str, Any] | None:
        value = cache.get(self._key(kind, ident))
        return json.loads(value) if isinstance(value, str) else None

    def put(self, kind: str, ident: str, record: dict[str, Any]) -> None:
        cache.set(self._key(kind, ident), json.dumps(record), TTL)

    def signing_key(self, name: str) -> RSAPrivateKey:
        """An RSA key generated on first use and shared by every process."""
        key = self._key("rsa", name)
        pem = cache.get(key)
        if not isinstance(pem, str):
            generated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            fresh = generated.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            cache.add(key, fresh, TTL)
            pem = cache.get(key)
        loaded = serialization.load_pem_private_key(str(pem).encode(), password=None)
        assert isinstance(loaded, RSAPrivateKey)  # noqa: S101 - we stored an RSA key
        return loaded

    def public_pem(self, name: str) -> str:
        return (
            self.signing_key(name)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def queue(self, outgoing: Outgoing) -> None:
        """Append to the outbox; the tests read it, the demo delivers it."""
        items = self.get("outbox", "all") or {"items": []}
        items["items"].append(
            {
                "url": outgoing.url,
                "method": outgoing.method,
                "headers": outgoing.headers,
                "body": base64.b64encode(outgoing.body).decode(),
                "meta": outgoing.meta,
            }
        )
        self.put("outbox", "all", items)

    def take_outbox(self) -> list[Outgoing]:
        items = (self.get("outbox", "all") or {"items": []})["items"]
        self.put("outbox", "all", {"items": []})
        return [
            Outgoing(
                url=item["url"],
                method=item["method"],
                headers=item["headers"],
                body=base64.b64decode(item["body"]),
                meta=item.get("meta", {}),
            )
            for item in items
        ]

"""The simulators' state: JSON-able records under one namespace.

Two backends: memory (the tests' loopback server, one process) and a small SQLite file
under ``var/`` (the demo, whose web workers are several processes that must see one
gateway). Not Django's cache: it culls entries, and a gateway must not forget orders.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
import string
import threading
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


class MemoryBackend:
    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._values[key] = value

    def add(self, key: str, value: str) -> None:
        with self._lock:
            self._values.setdefault(key, value)


class SqliteBackend:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT)")
        return connection

    def get(self, key: str) -> str | None:
        with closing(self._connect()) as connection:
            row = connection.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set(self, key: str, value: str) -> None:
        with closing(self._connect()) as connection:
            connection.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def add(self, key: str, value: str) -> None:
        with closing(self._connect()) as connection:
            connection.execute("INSERT OR IGNORE INTO kv (key, value) VALUES (?, ?)", (key, value))


Backend = MemoryBackend | SqliteBackend


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
    def __init__(self, namespace: str, backend: Backend | None = None) -> None:
        self.namespace = namespace
        self.backend = backend or MemoryBackend()

    def _key(self, kind: str, ident: str) -> str:
        return f"paysim:{self.namespace}:{kind}:{ident}"

    def get(self, kind: str, ident: str) -> dict[str, Any] | None:
        value = self.backend.get(self._key(kind, ident))
        return json.loads(value) if isinstance(value, str) else None

    def put(self, kind: str, ident: str, record: dict[str, Any]) -> None:
        self.backend.set(self._key(kind, ident), json.dumps(record))

    def signing_key(self, name: str) -> RSAPrivateKey:
        """An RSA key generated on first use and shared by every process."""
        key = self._key("rsa", name)
        pem = self.backend.get(key)
        if not isinstance(pem, str):
            generated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            fresh = generated.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            self.backend.add(key, fresh)
            pem = self.backend.get(key)
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

"""The encrypted file format of the SQLite engine's backups.

A file is a plaintext header (label, kind, parent, time, page geometry: enough to list
and chain backups without the key) followed by AES-256-GCM records. Every record's
associated data binds it to the header, its position and its type, so altering,
reordering, dropping or appending records, or changing the header, fails decryption.
A mandatory end record detects truncation.

Record types: ``H`` page hashes of the whole database image, ``M`` metadata (table
fingerprints), ``P`` pages (``u32 page number`` + page bytes, repeated), ``E`` end
(SHA-256 of the database image this backup restores to).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from fortresa.backups.engines.base import BackupError

MAGIC = b"FORTRESA-SQLITE-BACKUP-1\n"
SUFFIX = ".fbk"
_RECORD = struct.Struct(">cI")
_NONCE_BYTES = 12
_MAX_RECORD = 64 * 1024 * 1024


def derive_key(secret: str) -> bytes:
    """A 256-bit key from the configured secret (any length, any alphabet)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fortresa-backups", info=b"sqlite-v1")
    return hkdf.derive(secret.encode())


@dataclass(frozen=True)
class Header:
    label: str
    kind: str
    parent: str
    created_at: datetime
    page_size: int
    page_count: int

    def encode(self) -> bytes:
        body = {
            "label": self.label,
            "kind": self.kind,
            "parent": self.parent,
            "created_at": self.created_at.isoformat(),
            "page_size": self.page_size,
            "page_count": self.page_count,
        }
        return json.dumps(body, sort_keys=True).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Header:
        body = json.loads(raw)
        return cls(
            label=str(body["label"]),
            kind=str(body["kind"]),
            parent=str(body["parent"]),
            created_at=datetime.fromisoformat(body["created_at"]),
            page_size=int(body["page_size"]),
            page_count=int(body["page_count"]),
        )


def _aad(header_digest: bytes, index: int, kind: bytes) -> bytes:
    return header_digest + struct.pack(">Q", index) + kind


class SealedWriter:
    """Writes one backup file atomically: a temporary name, fsync, then rename."""

    def __init__(self, path: Path, header: Header, key: bytes) -> None:
        self.path = path
        self._temporary = path.with_name(f".{path.name}.partial")
        self._aead = AESGCM(key)
        encoded = header.encode()
        self._digest = hashlib.sha256(MAGIC + encoded).digest()
        self._index = 0
        fd = os.open(self._temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle: IO[bytes] = os.fdopen(fd, "wb")
        try:
            self._handle.write(MAGIC + struct.pack(">I", len(encoded)) + encoded)
        except BaseException:
            self.abandon()
            raise

    def record(self, kind: bytes, payload: bytes) -> None:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, payload, _aad(self._digest, self._index, kind))
        self._handle.write(_RECORD.pack(kind, len(sealed)) + nonce + sealed)
        self._index += 1

    def finish(self, image_sha256: bytes) -> int:
        self.record(b"E", image_sha256)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._temporary, self.path)
        return self.path.stat().st_size

    def abandon(self) -> None:
        """Remove the temporary file; closing may fail again (a full disk) and is ignored."""
        with contextlib.suppress(OSError):
            self._handle.close()
        self._temporary.unlink(missing_ok=True)


def read_header(path: Path) -> Header:
    """The plaintext header, for listing; it is authenticated when records are read."""
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path.name} is not a Fortresa SQLite backup")
        (length,) = struct.unpack(">I", handle.read(4))
        return Header.decode(handle.read(length))


def read_records(path: Path, key: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Yield ``(type, payload)`` of every record; fail on any alteration or a wrong key."""
    aead = AESGCM(key)
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path.name} is not a Fortresa SQLite backup")
        (length,) = struct.unpack(">I", handle.read(4))
        digest = hashlib.sha256(MAGIC + handle.read(length)).digest()
        index = 0
        while True:
            prefix = handle.read(_RECORD.size)
            if len(prefix) < _RECORD.size:
                raise BackupError(f"{path.name} is truncated: its end record is missing")
            kind, size = _RECORD.unpack(prefix)
            if size > _MAX_RECORD:
                raise BackupError(f"{path.name} is damaged: record {index} is too large")
            nonce = handle.read(_NONCE_BYTES)
            sealed = handle.read(size)
            try:
                payload = aead.decrypt(nonce, sealed, _aad(digest, index, kind))
            except InvalidTag:
                raise BackupError(
                    f"{path.name} cannot be decrypted at record {index}: "
                    "wrong key, or the file was altered"
                ) from None
            if kind == b"E":
                if handle.read(1):
                    raise BackupError(f"{path.name} has data after its end record")
                yield kind, payload
                return
            yield kind, payload
            index += 1


def metadata(path: Path, key: bytes) -> tuple[list[bytes], dict[str, Any]]:
    """Page hashes and metadata, which come before the pages."""
    hashes_: list[bytes] = []
    meta: dict[str, Any] = {}
    for kind, payload in read_records(path, key):
        if kind == b"H":
            hashes_ += [payload[i : i + 16] for i in range(0, len(payload), 16)]
        elif kind == b"M":
            meta = json.loads(payload)
        else:
            break
    return hashes_, meta

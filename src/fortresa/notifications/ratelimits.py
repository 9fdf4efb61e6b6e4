"""Limits against email bombing, kept as data and counted in the shared cache.

The cache is Redis when ``REDIS_URL`` is set (``INCR`` is atomic across hosts) and the
on-disk cache otherwise, shared by every process of the host; there a file lock makes
the add-then-increment atomic too, so a burst from many processes cannot slip past.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache

from fortresa.notifications.config import email_config

SCOPES = ("recipient", "ip", "account", "club")


@dataclass(frozen=True)
class RateLimitRule:
    name: str
    scope: str
    kinds: tuple[str, ...] | None  # None: every kind
    limit: int
    window: int

    def covers(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds

    def key(self, identity: str, *, now: float) -> str:
        window = int(now // self.window)
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"fortresa:email-limit:{_namespace()}{self.name}:{window}:{digest}"


@dataclass(frozen=True)
class Sender:
    """Who and what a message counts against."""

    recipient: str
    ip_address: str | None = None
    account_id: int | None = None
    club_id: int | None = None

    def identity(self, scope: str) -> str | None:
        value = {
            "recipient": self.recipient,
            "ip": self.ip_address,
            "account": self.account_id,
            "club": self.club_id,
        }[scope]
        return None if value in (None, "") else str(value)


def _namespace() -> str:
    if not email_config().limits_per_test:
        return ""
    running = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    return hashlib.sha256(f"{os.getpid()}:{running}".encode()).hexdigest()[:16] + ":"


def rules() -> list[RateLimitRule]:
    parsed = []
    for raw in email_config().rate_limits:
        scope = str(raw["scope"])
        if scope not in SCOPES:
            raise ValueError(f"email rate limit {raw!r}: scope must be one of {SCOPES}")
        kinds = raw.get("kinds", "*")
        parsed.append(
            RateLimitRule(
                name=str(raw.get("name") or scope),
                scope=scope,
                kinds=None if kinds == "*" else tuple(kinds),
                limit=int(raw["limit"]),
                window=int(raw["window"]),
            )
        )
    return parsed


@contextlib.contextmanager
def _store_lock() -> Iterator[None]:
    backend = caches["default"]
    if not isinstance(backend, FileBasedCache):
        yield
        return
    directory = Path(backend._dir)  # type: ignore[attr-defined]
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "email-limits.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _count(key: str, timeout: int) -> int:
    cache = caches["default"]
    with _store_lock():
        cache.add(key, 0, timeout=timeout)
        try:
            return int(cache.incr(key))
        except ValueError:
            # Expired between add and incr: this is the first of a new window.
            cache.set(key, 1, timeout=timeout)
            return 1


def reserve(*, kind: str, sender: Sender, now: float | None = None) -> RateLimitRule | None:
    """Count one message against every rule covering it; the first rule it breaks, or None.

    A refused message still counts, so a sender hammering past a limit stays refused.
    """
    moment = time.time() if now is None else now
    breached = None
    for rule in rules():
        identity = sender.identity(rule.scope)
        if identity is None or not rule.covers(kind):
            continue
        if _count(rule.key(identity, now=moment), rule.window * 2) > rule.limit and not breached:
            breached = rule
    return breached

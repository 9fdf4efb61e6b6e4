"""A fixed-window request budget kept in the shared cache (Redis in production).

Every web process counts in the same place, so a sender cannot spread its requests over
processes or hosts to get past the limit. ``cache.add`` then ``cache.incr`` is atomic on
Redis; the file cache of a single host may let a few extra through under a race, which
is acceptable for a budget whose purpose is to bound storage, not to authenticate.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class CacheRateLimit:
    scope: str
    limit: int
    window_seconds: int = 60

    def key(self, identity: str, *, now: float | None = None) -> str:
        window = int((time.time() if now is None else now) // self.window_seconds)
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        return f"fortresa:ratelimit:{self.scope}:{window}:{digest}"

    def allow(self, identity: str, *, now: float | None = None) -> bool:
        """Count one request for ``identity``; False once the window's budget is spent."""
        key = self.key(identity, now=now)
        cache.add(key, 0, timeout=self.window_seconds * 2)
        try:
            count = cache.incr(key)
        except ValueError:
            # Evicted between add and incr: start the window again.
            cache.set(key, 1, timeout=self.window_seconds * 2)
            count = 1
        return count <= self.limit

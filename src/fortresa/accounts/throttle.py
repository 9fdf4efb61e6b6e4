"""Where lockout and rate-limit state lives: Redis when ``REDIS_URL`` is set, else the database.

Both stores are shared by every web process; neither keeps anything in one process's
memory. Each operation is atomic in the store (a Lua script in Redis, a row or advisory
lock in the database), so concurrent attempts from many addresses cannot slip past a
limit between a read and a write.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fortresa.accounts.models import ThrottleHit, ThrottleState

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _ms(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds() * 1000)


def _from_ms(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=value)


@dataclass(frozen=True)
class Lockout:
    """What a failure did: ``locked_until`` is set when this failure locked the account."""

    locked_until: dt.datetime | None
    failures: int


class ThrottleStore(Protocol):
    def locked_until(self, key: str, *, now: dt.datetime) -> dt.datetime | None: ...

    def register_failure(
        self,
        key: str,
        *,
        now: dt.datetime,
        threshold: int,
        base: dt.timedelta,
        maximum: dt.timedelta,
    ) -> Lockout: ...

    def reset(self, key: str) -> None: ...

    def reserve(self, key: str, *, now: dt.datetime, limit: int, window: dt.timedelta) -> bool: ...

    def count(self, key: str, *, now: dt.datetime, window: dt.timedelta) -> int: ...


def lock_duration(level: int, base: dt.timedelta, maximum: dt.timedelta) -> dt.timedelta:
    """15 min, 30 min, 1 h, ... doubling with each lockout, never above ``maximum``."""
    doubled: dt.timedelta = base * (2 ** min(level, 32))
    return min(doubled, maximum)


# --- Redis ------------------------------------------------------------------------------

_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local limit = tonumber(ARGV[3])
if limit >= 0 and redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

# ARGV: now, threshold, base, maximum (milliseconds except threshold).
_FAILURE = """
local now = tonumber(ARGV[1])
local maximum = tonumber(ARGV[4])
local locked = tonumber(redis.call('HGET', KEYS[1], 'locked_until') or '0')
if locked > now then return {0, 0} end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures >= tonumber(ARGV[2]) then
  local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
  local duration = math.min(tonumber(ARGV[3]) * (2 ^ math.min(level, 32)), maximum)
  locked = now + duration
  redis.call('HSET', KEYS[1], 'failures', 0, 'level', level + 1, 'locked_until', locked)
  redis.call('PEXPIRE', KEYS[1], duration + maximum)
  return {locked, failures}
end
redis.call('PEXPIRE', KEYS[1], maximum)
return {0, failures}
"""


class RedisThrottleStore:
    def __init__(self, url: str, prefix: str = "fortresa:accounts:throttle:") -> None:
        import redis

        self.client: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self._reserve = self.client.register_script(_RESERVE)
        self._failure = self.client.register_script(_FAILURE)

    def _state_key(self, key: str) -> str:
        return f"{self.prefix}state:{key}"

    def _window_key(self, key: str) -> str:
        return f"{self.prefix}window:{key}"

    def locked_until(self, key: str, *, now: dt.datetime) -> dt.datetime | None:
        raw = self.client.hget(self._state_key(key), "locked_until")
        if raw is None or int(raw) <= _ms(now):
            return None
        return _from_ms(int(raw))

    def register_failure(
        self,
        key: str,
        *,
        now: dt.datetime,
        threshold: int,
        base: dt.timedelta,
        maximum: dt.timedelta,
    ) -> Lockout:
        locked, failures = self._failure(
            keys=[self._state_key(key)],
            args=[_ms(now), threshold, _ms(EPOCH + base), _ms(EPOCH + maximum)],
        )
        return Lockout(_from_ms(int(locked)) if int(locked) else None, int(failures))

    def reset(self, key: str) -> None:
        self.client.delete(self._state_key(key))

    def reserve(self, key: str, *, now: dt.datetime, limit: int, window: dt.timedelta) -> bool:
        window_ms = _ms(EPOCH + window)
        added = self._reserve(
            keys=[self._window_key(key)], args=[_ms(now), window_ms, limit, uuid.uuid4().hex]
        )
        return bool(int(added))

    def count(self, key: str, *, now: dt.datetime, window: dt.timedelta) -> int:
        since = _ms(now - window)
        return int(self.client.zcount(self._window_key(key), f"({since}", "+inf"))

    def clear(self) -> None:
        """Remove every key under this store's prefix (tests, and an operator's reset)."""
        for name in self.client.scan_iter(match=f"{self.prefix}*", count=500):
            self.client.delete(name)


# --- Database ---------------------------------------------------------------------------


class DatabaseThrottleStore:
    def locked_until(self, key: str, *, now: dt.datetime) -> dt.datetime | None:
        until = ThrottleState.objects.filter(key=key, locked_until__gt=now).values_list(
            "locked_until", flat=True
        )
        return until.first()

    def _locked_state(self, key: str, now: dt.datetime) -> ThrottleState:
        try:
            with transaction.atomic():
                ThrottleState.objects.get_or_create(key=key, defaults={"updated_at": now})
        except IntegrityError:
            pass  # another process created it a moment ago
        return ThrottleState.objects.select_for_update().get(key=key)

    def register_failure(
        self,
        key: str,
        *,
        now: dt.datetime,
        threshold: int,
        base: dt.timedelta,
        maximum: dt.timedelta,
    ) -> Lockout:
        with transaction.atomic():
            state = self._locked_state(key, now)
            if state.locked_until and state.locked_until > now:
                return Lockout(None, 0)
            # The same memory as Redis's expiry: quiet for ``maximum`` after the last
            # lock ended (or the last failure) and the account starts afresh.
            last = max(state.updated_at, state.locked_until or state.updated_at)
            if now - last > maximum:
                state.failures, state.lock_level = 0, 0
            state.failures += 1
            state.updated_at = now
            failures = state.failures
            locked = None
            if state.failures >= threshold:
                locked = now + lock_duration(state.lock_level, base, maximum)
                state.failures, state.lock_level, state.locked_until = (
                    0,
                    state.lock_level + 1,
                    locked,
                )
            state.save()
        return Lockout(locked, failures)

    def reset(self, key: str) -> None:
        ThrottleState.objects.filter(key=key).delete()

    def _serialise(self, key: str) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
        # SQLite runs IMMEDIATE transactions (settings): writers are already serialised.

    def reserve(self, key: str, *, now: dt.datetime, limit: int, window: dt.timedelta) -> bool:
        with transaction.atomic():
            self._serialise(key)
            ThrottleHit.objects.filter(key=key, at__lte=now - window).delete()
            if limit >= 0 and ThrottleHit.objects.filter(key=key).count() >= limit:
                return False
            ThrottleHit.objects.create(key=key, at=now)
        return True

    def count(self, key: str, *, now: dt.datetime, window: dt.timedelta) -> int:
        return ThrottleHit.objects.filter(key=key, at__gt=now - window).count()


def purge_database_store(*, older_than: dt.timedelta) -> int:
    """Drop counter entries and lock states nobody can be affected by any more."""
    cutoff = timezone.now() - older_than
    hits, _ = ThrottleHit.objects.filter(at__lt=cutoff).delete()
    states, _ = ThrottleState.objects.filter(
        updated_at__lt=cutoff, locked_until__lt=cutoff
    ).delete()
    idle, _ = ThrottleState.objects.filter(
        updated_at__lt=cutoff, locked_until__isnull=True
    ).delete()
    return hits + states + idle


@lru_cache(maxsize=1)
def throttle_store() -> ThrottleStore:
    """The store for this deployment, chosen once: Redis if configured, else the database."""
    url: str = getattr(settings, "REDIS_URL", "")
    if url:
        return RedisThrottleStore(url)
    return DatabaseThrottleStore()

"""One schedule for the whole deployment, however many workers embed the beat scheduler.

``fortresa worker`` embeds Celery beat, so two workers would each send every scheduled
job: backups twice, probes twice. ``SingletonScheduler`` is beat's scheduler with a
leadership lock in front: only the worker holding the lock sends jobs; the others
poll and take over within ``LEADER_TTL_SECONDS`` when the leader dies.

The lock lives in Redis when ``REDIS_URL`` is set (any number of hosts), else in a file
lock under ``VAR_DIR`` (the embedded default: one host). A leader that cannot renew its
Redis lock stops sending at once rather than risk a second leader.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import IO, Any, Protocol

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)

LEADER_KEY = "fortresa:beat:leader"
LEADER_TTL_SECONDS = 30
# A follower asks for the lock this often; a leader renews at least this often too.
POLL_SECONDS = 5.0

# Renew when the lock is ours, take it when it is free; 1 when held by us afterwards.
_HOLD = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leadership(Protocol):
    def hold(self) -> bool: ...

    def release(self) -> None: ...


class RedisLeadership:
    """A lock with an expiry, renewed by its holder on every scheduler tick."""

    def __init__(self, url: str, *, key: str = LEADER_KEY, ttl: int = LEADER_TTL_SECONDS) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.key = key
        self.ttl_ms = ttl * 1000
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"

    def hold(self) -> bool:
        try:
            return bool(self.client.eval(_HOLD, 1, self.key, self.token, self.ttl_ms))
        except redis.RedisError as exc:
            logger.warning("beat: cannot reach Redis for the scheduler lock (%s)", exc)
            return False

    def release(self) -> None:
        try:
            self.client.eval(_RELEASE, 1, self.key, self.token)
        except redis.RedisError:
            logger.warning("beat: could not release the scheduler lock; it expires on its own")


class FileLeadership:
    """An exclusive ``flock``: released by the kernel when the holding process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def hold(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        candidate = self.path.open("ab")
        try:
            fcntl.flock(candidate, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            candidate.close()
            return False
        self._file = candidate
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def deployment_leadership() -> Leadership:
    if settings.REDIS_URL:
        return RedisLeadership(settings.REDIS_URL)
    return FileLeadership(Path(settings.VAR_DIR) / "celerybeat.lock")


class SingletonScheduler(PersistentScheduler):
    """Celery beat's persistent scheduler, sending jobs only while it leads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.leadership = deployment_leadership()
        self.leading: bool | None = None
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        leading = self.leadership.hold()
        if leading != self.leading:
            self.leading = leading
            logger.info(
                "beat: %s", "this worker now sends the scheduled jobs" if leading else "standing by"
            )
        if not leading:
            return POLL_SECONDS
        return min(float(super().tick(*args, **kwargs)), POLL_SECONDS)

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.leading:
                self.leadership.release()

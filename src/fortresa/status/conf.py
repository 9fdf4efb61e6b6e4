"""Thresholds and switches of the status area, read from the environment when asked for.

Every value is an environment variable ``FORTRESA_STATUS_*`` (see
docs/operations/monitoring.md); reading happens on each call, never at import time, so a
test can change one with ``monkeypatch.setenv``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from fortresa.core.env import ConfigError, Env

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class StatusSettings:
    interval_seconds: int
    confirmations: int
    probe_timeout_seconds: float
    https_slow_ms: int
    ca_file: str
    database_slow_ms: int
    redis_slow_ms: int
    smtp_slow_ms: int
    heartbeat_warn: timedelta
    heartbeat_fail: timedelta
    certificate_warn_days: int
    disk_warn_percent: int
    disk_fail_percent: int
    full_backup_warn: timedelta
    full_backup_fail: timedelta
    diff_backup_warn: timedelta
    diff_backup_fail: timedelta
    restore_drill_warn: timedelta
    audit_warn: timedelta
    stale_after: timedelta
    result_retention: timedelta
    metrics_allowed: tuple[Network, ...]


def _networks(env: Env) -> tuple[Network, ...]:
    raw = env.items("FORTRESA_METRICS_ALLOWED_CIDRS", ["127.0.0.0/8", "::1/128"])
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in raw)
    except ValueError as exc:
        raise ConfigError(f"FORTRESA_METRICS_ALLOWED_CIDRS: {exc}") from None


def status_settings(env: Env | None = None) -> StatusSettings:
    """The current thresholds; ``env`` defaults to the process environment."""
    env = env or Env()
    integer = env.integer
    return StatusSettings(
        interval_seconds=min(max(integer("FORTRESA_STATUS_INTERVAL", 30, minimum=1), 30), 60),
        confirmations=env.integer("FORTRESA_STATUS_CONFIRMATIONS", 2, minimum=1),
        probe_timeout_seconds=float(env.integer("FORTRESA_STATUS_PROBE_TIMEOUT", 5, minimum=1)),
        https_slow_ms=env.integer("FORTRESA_STATUS_HTTPS_SLOW_MS", 1500, minimum=1),
        ca_file=env.text("FORTRESA_STATUS_CA_FILE", ""),
        database_slow_ms=env.integer("FORTRESA_STATUS_DATABASE_SLOW_MS", 500, minimum=1),
        redis_slow_ms=env.integer("FORTRESA_STATUS_REDIS_SLOW_MS", 250, minimum=1),
        smtp_slow_ms=env.integer("FORTRESA_STATUS_SMTP_SLOW_MS", 2000, minimum=1),
        heartbeat_warn=timedelta(
            seconds=env.integer("FORTRESA_STATUS_HEARTBEAT_WARN_SECONDS", 150, minimum=1)
        ),
        heartbeat_fail=timedelta(
            seconds=env.integer("FORTRESA_STATUS_HEARTBEAT_FAIL_SECONDS", 600, minimum=1)
        ),
        certificate_warn_days=env.integer("FORTRESA_STATUS_CERT_WARN_DAYS", 21, minimum=0),
        disk_warn_percent=env.integer("FORTRESA_STATUS_DISK_WARN_PERCENT", 10, minimum=0),
        disk_fail_percent=env.integer("FORTRESA_STATUS_DISK_FAIL_PERCENT", 5, minimum=0),
        full_backup_warn=timedelta(hours=integer("FORTRESA_STATUS_FULL_BACKUP_WARN_HOURS", 192)),
        full_backup_fail=timedelta(hours=integer("FORTRESA_STATUS_FULL_BACKUP_FAIL_HOURS", 360)),
        diff_backup_warn=timedelta(hours=integer("FORTRESA_STATUS_DIFF_BACKUP_WARN_HOURS", 26)),
        diff_backup_fail=timedelta(hours=integer("FORTRESA_STATUS_DIFF_BACKUP_FAIL_HOURS", 50)),
        restore_drill_warn=timedelta(hours=integer("FORTRESA_STATUS_DRILL_WARN_HOURS", 192)),
        audit_warn=timedelta(hours=integer("FORTRESA_STATUS_AUDIT_WARN_HOURS", 192)),
        stale_after=timedelta(seconds=env.integer("FORTRESA_STATUS_STALE_SECONDS", 300)),
        result_retention=timedelta(days=env.integer("FORTRESA_STATUS_RETENTION_DAYS", 7)),
        metrics_allowed=_networks(env),
    )

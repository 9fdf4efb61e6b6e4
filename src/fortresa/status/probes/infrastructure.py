"""Probes of what the platform runs on: HTTPS front, database, Redis, workers, SMTP, disk."""

from __future__ import annotations

import http.client
import shutil
import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis
from cryptography import x509
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

from fortresa.status.components import ComponentStatus
from fortresa.status.conf import StatusSettings
from fortresa.status.probes.base import (
    Probe,
    ProbeOutcome,
    Stopwatch,
    not_configured,
    register,
)

OK = ComponentStatus.OPERATIONAL
SLOW = ComponentStatus.DEGRADED
DOWN = ComponentStatus.MAJOR_OUTAGE


def _timed(ok_summary: str, elapsed_ms: float, slow_ms: int) -> ProbeOutcome:
    if elapsed_ms > slow_ms:
        return ProbeOutcome(SLOW, f"slow: {elapsed_ms:.0f} ms", elapsed_ms)
    return ProbeOutcome(OK, ok_summary, elapsed_ms)


@register
class HttpsFrontProbe(Probe):
    """GET /healthz on the public address, verifying its certificate."""

    slug = "https"
    component = "web"

    def __init__(self, url: str | None = None, ca_file: str | None = None) -> None:
        self.url = url if url is not None else str(settings.FORTRESA_SITE_URL)
        self.ca_file = ca_file

    def _context(self, conf: StatusSettings) -> ssl.SSLContext:
        ca_file = self.ca_file or conf.ca_file
        if not ca_file:
            # The embedded default serves a certificate from its own local CA.
            local_ca = Path(settings.VAR_DIR) / "tls" / "ca.pem"
            ca_file = str(local_ca) if local_ca.exists() else ""
        context = ssl.create_default_context(cafile=ca_file or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.hostname:
            return not_configured("FORTRESA_SITE_URL is not an https address")
        connection = http.client.HTTPSConnection(
            parts.hostname,
            parts.port or 443,
            timeout=conf.probe_timeout_seconds,
            context=self._context(conf),
        )
        watch = Stopwatch()
        try:
            connection.request("GET", parts.path.rstrip("/") + "/healthz")
            response = connection.getresponse()
            response.read(1024)
        except ssl.SSLError as exc:
            return ProbeOutcome(DOWN, f"TLS failed: {exc.reason or type(exc).__name__}")
        except (OSError, http.client.HTTPException) as exc:
            return ProbeOutcome(DOWN, f"no answer: {type(exc).__name__}")
        finally:
            connection.close()
        if response.status != 200:
            return ProbeOutcome(DOWN, f"answered HTTP {response.status}", watch.elapsed_ms)
        return _timed("answered 200", watch.elapsed_ms, conf.https_slow_ms)


@register
class DatabaseProbe(Probe):
    """A fresh connection and ``SELECT 1`` (not the request's pooled connection)."""

    slug = "database"
    component = "database"

    def __init__(self, database: dict[str, Any] | None = None) -> None:
        self.database = database

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        database = dict(self.database or connections[DEFAULT_DB_ALIAS].settings_dict)
        if "postgresql" in database["ENGINE"]:
            options = dict(database.get("OPTIONS") or {})
            options["connect_timeout"] = max(1, int(conf.probe_timeout_seconds))
            database["OPTIONS"] = options
        database.setdefault("TIME_ZONE", None)
        wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(database, alias="status-probe")
        # Its own thread: a hard deadline even when the server accepts and then hangs,
        # and no sharing with the caller's connections or event loop.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="status-database-probe")
        watch = Stopwatch()
        try:
            pool.submit(_select_one, wrapper).result(timeout=conf.probe_timeout_seconds + 1)
        except wrapper.Database.Error as exc:
            return ProbeOutcome(DOWN, f"unreachable: {type(exc).__name__}")
        except FutureTimeout:
            return ProbeOutcome(DOWN, "no answer before the timeout")
        finally:
            pool.shutdown(wait=False)
        return _timed("answered SELECT 1", watch.elapsed_ms, conf.database_slow_ms)


def _select_one(wrapper: Any) -> None:
    # A raw DB-API connection: nothing of Django's connection handling is shared.
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchone()
    finally:
        raw.close()


@register
class RedisProbe(Probe):
    slug = "redis"
    component = "cache"

    def __init__(self, url: str | None = None) -> None:
        self.url = url if url is not None else str(settings.REDIS_URL)

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        if not self.url:
            return not_configured("REDIS_URL is not set")
        client = redis.Redis.from_url(
            self.url,
            socket_timeout=conf.probe_timeout_seconds,
            socket_connect_timeout=conf.probe_timeout_seconds,
        )
        watch = Stopwatch()
        try:
            client.ping()
        except redis.RedisError as exc:
            return ProbeOutcome(DOWN, f"unreachable: {type(exc).__name__}")
        finally:
            client.close()
        return _timed("answered PING", watch.elapsed_ms, conf.redis_slow_ms)


@register
class WorkerHeartbeatProbe(Probe):
    slug = "heartbeat"
    component = "workers"

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        from fortresa.status.models import WorkerHeartbeat

        beat = WorkerHeartbeat.objects.filter(name="beat").first()
        if beat is None:
            return ProbeOutcome(DOWN, "no heartbeat recorded yet")
        age = now - beat.beat_at
        summary = f"last heartbeat {age.total_seconds():.0f} s ago"
        if age > conf.heartbeat_fail:
            return ProbeOutcome(DOWN, summary)
        if age > conf.heartbeat_warn:
            return ProbeOutcome(SLOW, summary)
        return ProbeOutcome(OK, summary)


@register
class SmtpRelayProbe(Probe):
    """Connect and EHLO; no mail is sent and no credentials are used."""

    slug = "smtp"
    component = "email"

    def __init__(self, host: str | None = None, port: int | None = None) -> None:
        self.host = host if host is not None else str(settings.EMAIL_HOST)
        self.port = port if port is not None else int(settings.EMAIL_PORT)

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        if not self.host:
            return not_configured("FORTRESA_SMTP_HOST is not set")
        watch = Stopwatch()
        try:
            with smtplib.SMTP(self.host, self.port, timeout=conf.probe_timeout_seconds) as smtp:
                code, _banner = smtp.ehlo("status.fortresa")
        except (OSError, smtplib.SMTPException) as exc:
            return ProbeOutcome(DOWN, f"unreachable: {type(exc).__name__}")
        if code != 250:
            return ProbeOutcome(DOWN, f"EHLO answered {code}", watch.elapsed_ms)
        return _timed("answered EHLO", watch.elapsed_ms, conf.smtp_slow_ms)


@register
class CertificateExpiryProbe(Probe):
    slug = "certificate"
    component = "certificate"

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path if path is not None else str(settings.TLS_CERT))

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        try:
            pem = self.path.read_bytes()
        except FileNotFoundError:
            return not_configured("no certificate file (TLS ends in front of Fortresa)")
        try:
            certificate = x509.load_pem_x509_certificate(pem)
        except ValueError:
            return ProbeOutcome(DOWN, "the certificate file cannot be read")
        left = certificate.not_valid_after_utc - now
        if left.total_seconds() <= 0:
            return ProbeOutcome(DOWN, f"expired {-left.days} days ago")
        summary = f"expires in {left.days} days"
        if left.days < conf.certificate_warn_days:
            return ProbeOutcome(SLOW, summary)
        return ProbeOutcome(OK, summary)


@register
class DiskSpaceProbe(Probe):
    slug = "disk"
    component = "storage"

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path if path is not None else str(settings.VAR_DIR))

    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        target = self.path
        while not target.exists() and target != target.parent:
            target = target.parent
        usage = shutil.disk_usage(target)
        free_percent = 100 * usage.free / usage.total if usage.total else 0.0
        summary = f"{free_percent:.1f}% free"
        if free_percent < conf.disk_fail_percent:
            return ProbeOutcome(DOWN, summary)
        if free_percent < conf.disk_warn_percent:
            return ProbeOutcome(SLOW, summary)
        return ProbeOutcome(OK, summary)

"""What the site sends right now, read from a real request to its public address.

The request goes to ``FORTRESA_SITE_URL`` over HTTPS, verifying the certificate against
``FORTRESA_STATUS_CA_FILE``, else the local CA of the embedded default, else the system's
trust store. It is made by a worker (``trust.tasks.read_site``, every few minutes), never
inside a web request: a web process asking itself could wait on its own busy thread.
The reading is kept in the shared cache; the page shows it with the time it was taken.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import ssl
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from fortresa.core.env import Env

# The login page: it carries the full set of page headers and sets the CSRF cookie, so
# one request shows both.
READ_PATH = "/accounts/login/"
TIMEOUT_SECONDS = 5.0
KEEP_SECONDS = 24 * 3600
QUEUED_SECONDS = 120
# Headers worth showing. Server, Date and the like are left out: they help nobody check
# the promises, and a server banner only helps an attacker.
SHOWN_HEADERS = (
    "strict-transport-security",
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
)


@dataclass(frozen=True)
class CookieReading:
    name: str
    secure: bool
    httponly: bool
    samesite: str
    path: str
    has_domain: bool


@dataclass(frozen=True)
class SiteReading:
    checked_at: dt.datetime
    ok: bool
    status: int = 0
    # A short reason when ``ok`` is false (never the exception text: it may name hosts).
    failure: str = ""
    tls_version: str = ""
    cipher: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: tuple[CookieReading, ...] = ()

    def as_cache(self) -> dict[str, Any]:
        document = asdict(self)
        document["checked_at"] = self.checked_at.isoformat()
        return document

    @classmethod
    def from_cache(cls, document: dict[str, Any]) -> SiteReading:
        return cls(
            checked_at=dt.datetime.fromisoformat(document["checked_at"]),
            ok=bool(document["ok"]),
            status=int(document["status"]),
            failure=str(document["failure"]),
            tls_version=str(document["tls_version"]),
            cipher=str(document["cipher"]),
            headers=dict(document["headers"]),
            cookies=tuple(CookieReading(**cookie) for cookie in document["cookies"]),
        )


def site_url() -> str:
    return str(settings.FORTRESA_SITE_URL).rstrip("/")


def _cache_key(url: str) -> str:
    return "trust:site-reading:" + hashlib.sha256(url.encode()).hexdigest()[:24]


def ca_file() -> str | None:
    configured = Env().text("FORTRESA_STATUS_CA_FILE", "")
    if configured:
        return configured
    local_ca = Path(settings.VAR_DIR) / "tls" / "ca.pem"
    return str(local_ca) if local_ca.exists() else None


def _cookies(values: list[str]) -> tuple[CookieReading, ...]:
    readings = []
    for value in values:
        jar: SimpleCookie = SimpleCookie()
        jar.load(value)
        for name, morsel in jar.items():
            readings.append(
                CookieReading(
                    name=name,
                    secure=bool(morsel["secure"]),
                    httponly=bool(morsel["httponly"]),
                    samesite=str(morsel["samesite"]).lower(),
                    path=str(morsel["path"]),
                    has_domain=bool(morsel["domain"]),
                )
            )
    return tuple(readings)


def fetch_site_reading(url: str | None = None) -> SiteReading:
    """GET the login page of ``url`` (default ``FORTRESA_SITE_URL``) and note what came."""
    url = url or site_url()
    now = timezone.now()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return SiteReading(now, ok=False, failure="not-https")
    context = ssl.create_default_context(cafile=ca_file())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    connection = http.client.HTTPSConnection(
        parts.hostname, parts.port or 443, timeout=TIMEOUT_SECONDS, context=context
    )
    try:
        connection.connect()
        # Read now: the connection drops its socket once a closing response is read.
        sock = connection.sock
        tls = sock.version() if isinstance(sock, ssl.SSLSocket) else None
        cipher = sock.cipher() if isinstance(sock, ssl.SSLSocket) else None
        connection.request("GET", parts.path.rstrip("/") + READ_PATH)
        response = connection.getresponse()
        response.read(256 * 1024)
    except ssl.SSLError:
        return SiteReading(now, ok=False, failure="tls")
    except (OSError, http.client.HTTPException):
        return SiteReading(now, ok=False, failure="unreachable")
    finally:
        connection.close()
    headers = {
        name.lower(): value
        for name, value in response.getheaders()
        if name.lower() in SHOWN_HEADERS
    }
    return SiteReading(
        checked_at=now,
        ok=response.status == 200,
        status=response.status,
        failure="" if response.status == 200 else "status",
        tls_version=tls or "",
        cipher=cipher[0] if cipher else "",
        headers=headers,
        cookies=_cookies(response.headers.get_all("Set-Cookie") or []),
    )


def store_site_reading(reading: SiteReading, url: str | None = None) -> None:
    cache.set(_cache_key(url or site_url()), reading.as_cache(), KEEP_SECONDS)


def refresh_site_reading() -> SiteReading:
    reading = fetch_site_reading()
    store_site_reading(reading)
    return reading


def cached_site_reading() -> SiteReading | None:
    """The last reading of the site, or None; asks a worker for one when there is none."""
    document = cache.get(_cache_key(site_url()))
    if document is not None:
        return SiteReading.from_cache(document)
    if cache.add(_cache_key(site_url()) + ":queued", 1, QUEUED_SECONDS):
        from fortresa.trust.tasks import read_site

        read_site.delay()
        # Eager task execution (the test profile) has stored it already.
        document = cache.get(_cache_key(site_url()))
        if document is not None:
            return SiteReading.from_cache(document)
    return None

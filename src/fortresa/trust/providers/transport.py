"""Transport (TLS policy, certificate, HSTS) and the headers and cookies the site sends."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography import x509
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club
from fortresa.trust.headers import SiteReading, cached_site_reading, site_url
from fortresa.trust.providers.base import Fact, Link, Provider, Section, Status, register

# Warn three weeks ahead: time for a renewal to go wrong once and be fixed.
CERTIFICATE_WARN = dt.timedelta(days=21)
HSTS_MINIMUM_SECONDS = 365 * 24 * 3600
_PROTOCOLS = {"intermediate": ["TLS 1.2", "TLS 1.3"], "modern": ["TLS 1.3"]}
_NONCE = re.compile(r"'nonce-[^']*'")
_MAX_AGE = re.compile(r"max-age=(\d+)", re.I)


def public_host() -> str:
    return urlsplit(site_url()).hostname or ""


def graders() -> tuple[Link | str, ...]:
    host = quote(public_host())
    return (
        Link(
            _("Qualys SSL Labs server test"),
            f"https://www.ssllabs.com/ssltest/analyze.html?d={host}",
        ),
        Link(
            _("MDN HTTP Observatory"),
            f"https://developer.mozilla.org/en-US/observatory/analyze?host={host}",
        ),
        f"testssl.sh {public_host()}",
    )


def _certificate_expiry(path: str) -> dt.datetime | None:
    try:
        certificate = x509.load_pem_x509_certificate(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    return certificate.not_valid_after_utc


@register
class TransportProvider(Provider):
    slug = "transport"
    title = _("Encrypted connections")
    promise = _(
        "Every connection uses HTTPS with TLS 1.2 or 1.3 only, strong ciphers and a valid "
        "certificate; browsers are told never to use plain HTTP."
    )
    requires_app = "fortresa.hardening"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        policy = str(settings.FORTRESA_TLS_POLICY)
        hsts = int(settings.SECURE_HSTS_SECONDS)
        expires = _certificate_expiry(str(settings.TLS_CERT))
        facts = [
            Fact("tls_versions", _("Protocol versions accepted"), _PROTOCOLS.get(policy, [])),
            Fact(
                "ciphers",
                _("Cipher suites"),
                "ECDHE+AEAD",
                display=_("Forward-secret key exchange (ECDHE) with authenticated encryption only"),
            ),
            Fact("hsts_seconds", _("HSTS lifetime"), hsts, "seconds"),
            Fact(
                "hsts_preload",
                _("HSTS preload requested"),
                bool(settings.SECURE_HSTS_PRELOAD),
                "yesno",
            ),
        ]
        problems = []
        if expires is None:
            problems.append(_("The certificate this server is configured with cannot be read."))
        else:
            facts.append(
                Fact("certificate_expires_at", _("Certificate valid until"), expires, "datetime")
            )
            if expires <= now:
                problems.append(_("The certificate has expired."))
            elif expires - now < CERTIFICATE_WARN:
                problems.append(_("The certificate expires in less than three weeks."))
        if hsts < HSTS_MINIMUM_SECONDS:
            problems.append(_("HSTS is sent with a lifetime shorter than one year."))
        reading = cached_site_reading()
        if reading is not None and reading.ok:
            facts.append(
                Fact("negotiated_protocol", _("Protocol negotiated just now"), reading.tls_version)
            )
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=tuple(facts),
            checked_at=now,
            reasons=tuple(problems),
            how_to_check=graders(),
        )


def _frame_protected(headers: dict[str, str]) -> bool:
    csp = headers.get("content-security-policy", "")
    return "frame-ancestors 'none'" in csp or headers.get("x-frame-options", "").upper() == "DENY"


def header_problems(reading: SiteReading) -> list[str]:
    headers = reading.headers
    problems = []
    max_age = _MAX_AGE.search(headers.get("strict-transport-security", ""))
    if max_age is None or int(max_age.group(1)) < HSTS_MINIMUM_SECONDS:
        problems.append(str(_("Strict-Transport-Security is missing or shorter than one year.")))
    csp = headers.get("content-security-policy", "")
    script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
    if not csp or "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(str(_("The Content-Security-Policy is missing or allows inline scripts.")))
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append(str(_("X-Content-Type-Options: nosniff is missing.")))
    if not headers.get("referrer-policy"):
        problems.append(str(_("Referrer-Policy is missing.")))
    if not _frame_protected(headers):
        problems.append(str(_("Pages may be framed by other sites.")))
    for cookie in reading.cookies:
        if not (cookie.secure and cookie.httponly and cookie.samesite in ("lax", "strict")):
            problems.append(
                str(_("A cookie is sent without Secure, HttpOnly and SameSite: %(name)s"))
                % {"name": cookie.name}
            )
    return problems


@register
class HeadersProvider(Provider):
    slug = "headers"
    title = _("Security headers and cookies")
    promise = _(
        "Every page is sent with headers that stop cross-site scripting, clickjacking and "
        "downgrades; cookies are Secure, HttpOnly and SameSite, bound to this site."
    )

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        reading = cached_site_reading()
        if reading is None:
            return self.not_configured(
                _("The site has not been read yet; check again in a few minutes.")
            )
        if not reading.ok:
            return self.section(
                Status.DEGRADED,
                checked_at=reading.checked_at,
                reasons=(_("The site could not be read over HTTPS at its public address."),),
                how_to_check=graders(),
            )
        facts = [
            Fact(f"header:{name}", name, _NONCE.sub("'nonce-…'", value))
            for name, value in sorted(reading.headers.items())
        ]
        for cookie in reading.cookies:
            attributes = [
                label
                for label, present in (
                    ("Secure", cookie.secure),
                    ("HttpOnly", cookie.httponly),
                    (f"SameSite={cookie.samesite.capitalize()}", bool(cookie.samesite)),
                    (f"Path={cookie.path}", bool(cookie.path)),
                )
                if present
            ]
            facts.append(
                Fact(
                    f"cookie:{cookie.name}",
                    _("Cookie %(name)s") % {"name": cookie.name},
                    attributes,
                )
            )
        facts.append(
            Fact(
                "session_cookie",
                _("Sign-in cookie attributes (configured)"),
                [
                    str(settings.SESSION_COOKIE_NAME),
                    *(["Secure"] if settings.SESSION_COOKIE_SECURE else []),
                    *(["HttpOnly"] if settings.SESSION_COOKIE_HTTPONLY else []),
                    f"SameSite={settings.SESSION_COOKIE_SAMESITE}",
                ],
            )
        )
        problems = header_problems(reading)
        if not (settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY):
            problems.append(str(_("The sign-in cookie is not configured Secure and HttpOnly.")))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=tuple(facts),
            checked_at=reading.checked_at,
            reasons=tuple(problems),
            how_to_check=graders(),
        )

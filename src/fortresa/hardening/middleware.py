"""Browser-side hardening headers on every response: pages, errors, redirects, static files.

One middleware writes them all: the Content Security Policy with a fresh nonce for each
page that renders one and its reporting endpoint, HSTS over HTTPS, nosniff, Referrer-Policy, COOP,
CORP, X-Frame-Options and Permissions-Policy, from Django's ``SECURE_*`` and
``X_FRAME_OPTIONS`` settings where Django has one. It also sends a plain-HTTP request
to HTTPS (``SECURE_SSL_REDIRECT``, ``SECURE_SSL_HOST``, ``SECURE_REDIRECT_EXEMPT``).
That was the work of Django's ``SecurityMiddleware`` and ``XFrameOptionsMiddleware``,
which wrote several of the same headers again: two more layers on every request for
nothing this one did not already do (``bench/README.md``). It sits above WhiteNoise and
every other middleware, so a static file or an error raised anywhere below still gets
the headers; headers a view chose on purpose are kept (``setdefault``).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import ResponseHeaders

from fortresa.hardening.csp import REPORTING_ENDPOINTS, ContentSecurityPolicy

# Only features browsers recognise: an unknown one makes Chromium log a console error.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


logger = logging.getLogger(__name__)
# How long a process keeps the list of gateways clubs have enabled before reading it again.
GATEWAY_REFRESH_SECONDS = 60.0


class CspNonce:
    """The request's CSP nonce (``request.csp_nonce``), made when something first uses it.

    ``str()`` of it (what ``{{ csp_nonce }}`` renders) issues 16 random bytes in URL-safe
    base64 once per request; a response that never rendered it gets a policy without a
    nonce, which allows no script tag of its own.
    """

    __slots__ = ("issued",)

    def __init__(self) -> None:
        self.issued: str | None = None

    def __str__(self) -> str:
        if self.issued is None:
            self.issued = secrets.token_urlsafe(16)
        return self.issued


def hsts_header() -> str | None:
    """``Strict-Transport-Security`` from Django's ``SECURE_HSTS_*`` settings (None: off)."""
    seconds = int(settings.SECURE_HSTS_SECONDS or 0)
    if not seconds:
        return None
    value = f"max-age={seconds}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


def enabled_gateway_origins() -> list[str]:
    """Origins of the payment gateways clubs have enabled, when payments are installed."""
    if not apps.is_installed("fortresa.payments"):
        return []
    from fortresa.payments.selectors import active_gateway_origins

    return active_gateway_origins()


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.configured_origins = list(getattr(settings, "FORTRESA_CSP_FORM_ACTION", []))
        self.gateway_origins: list[str] = []
        self.gateways_read_at = float("-inf")
        self.policy = ContentSecurityPolicy(form_action_origins=self.configured_origins)
        static_headers = {
            "Reporting-Endpoints": REPORTING_ENDPOINTS,
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Resource-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "X-Frame-Options": str(settings.X_FRAME_OPTIONS or "DENY").upper(),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": settings.SECURE_REFERRER_POLICY or "strict-origin-when-cross-origin",
            # The XSS auditor is gone from browsers and could be abused; 0 keeps an old
            # one off. The CSP is what stops injected scripts (see docs/security.md).
            "X-XSS-Protection": "0",
        }
        # Validated and lower-cased once (ResponseHeaders refuses non-ASCII and newlines),
        # then written straight into each response's header store: checking and setting
        # nine headers through the mapping API was a fifth of this middleware's cost.
        self.static_headers = ResponseHeaders(static_headers)._store
        self.static_names = frozenset(self.static_headers)
        hsts = hsts_header()
        self.hsts = None if hsts is None else ("Strict-Transport-Security", hsts)
        self.redirect = bool(settings.SECURE_SSL_REDIRECT)
        self.redirect_host = settings.SECURE_SSL_HOST
        self.redirect_exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]

    def _refresh_gateways(self) -> None:
        """Let forms post to a gateway a club enabled, without restarting the server."""
        now = time.monotonic()
        if now - self.gateways_read_at < GATEWAY_REFRESH_SECONDS:
            return
        self.gateways_read_at = now
        try:
            origins = enabled_gateway_origins()
        except Exception:  # noqa: BLE001 - the headers must go out whatever the database does
            logger.warning(
                "payment gateway origins unreadable; keeping the last list", exc_info=True
            )
            return
        if origins != self.gateway_origins:
            self.gateway_origins = origins
            self.policy = ContentSecurityPolicy(
                form_action_origins=[*self.configured_origins, *origins]
            )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = CspNonce()
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        secure = request.is_secure()
        if not secure and self.redirect and not self._redirect_exempt(request):
            response = self._to_https(request)
        else:
            response = self.get_response(request)
        store = response.headers._store
        if store.get("content-type", ("", ""))[1].startswith("text/html"):
            # Only pages hold forms; static files and JSON never touch the database here.
            self._refresh_gateways()
        if "content-security-policy" not in store:
            # The nonce is URL-safe base64 (ASCII): safe to store as is.
            store["content-security-policy"] = (
                "Content-Security-Policy",
                self.policy.header(nonce.issued),
            )
        if store.keys().isdisjoint(self.static_names):
            store.update(self.static_headers)  # the usual case: one step, no loop
        else:
            for lowered, header in self.static_headers.items():
                if lowered not in store:
                    store[lowered] = header
        # Over plain HTTP a man in the middle could strip or forge it: HTTPS only (RFC 6797).
        if secure and self.hsts is not None and "strict-transport-security" not in store:
            store["strict-transport-security"] = self.hsts
        return response

    def _redirect_exempt(self, request: HttpRequest) -> bool:
        if not self.redirect_exempt:
            return False
        path = request.path.lstrip("/")
        return any(pattern.search(path) for pattern in self.redirect_exempt)

    def _to_https(self, request: HttpRequest) -> HttpResponse:
        try:
            host = self.redirect_host or request.get_host()
            return HttpResponsePermanentRedirect(f"https://{host}{request.get_full_path()}")
        except Exception as exc:  # noqa: BLE001 - a forged Host: answered 400 with the headers
            return response_for_exception(request, exc)

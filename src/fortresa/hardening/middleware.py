"""Browser-side hardening headers on every response: pages, errors, redirects, static files.

Django's SecurityMiddleware sends HSTS, nosniff, Referrer-Policy and COOP; this one adds
the Content Security Policy with a fresh nonce per request, the reporting endpoint, and
the headers Django has no setting for. It sits above WhiteNoise and every other
middleware, so a static file or an error raised anywhere below still gets them; headers
a view chose on purpose are kept (``setdefault``).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": settings.SECURE_REFERRER_POLICY or "strict-origin-when-cross-origin",
            # The XSS auditor is gone from browsers and could be abused; 0 keeps an old
            # one off. The CSP is what stops injected scripts (see docs/security.md).
            "X-XSS-Protection": "0",
        }
        # Validated and lower-cased once (ResponseHeaders refuses non-ASCII and newlines),
        # then written straight into each response's header store: checking and setting
        # nine headers through the mapping API was a fifth of this middleware's cost.
        self.static_headers = list(ResponseHeaders(static_headers)._store.items())

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
        # A nonce is 16 random bytes in URL-safe base64: ASCII, so safe to store as is.
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        store = response.headers._store
        if store.get("content-type", ("", ""))[1].startswith("text/html"):
            # Only pages hold forms; static files and JSON never touch the database here.
            self._refresh_gateways()
        if "content-security-policy" not in store:
            store["content-security-policy"] = (
                "Content-Security-Policy",
                self.policy.header(nonce),
            )
        for lowered, header in self.static_headers:
            if lowered not in store:
                store[lowered] = header
        return response

"""The Content Security Policy and the reporting headers that go with it.

The policy starts from ``default-src 'none'`` and names only what the pages use. Scripts
must come from our origin *and* carry the request's nonce; there is no inline script or
style anywhere, so neither ``'unsafe-inline'`` nor ``'unsafe-eval'`` ever appears. Forms
may post to our origin and to the payment gateways an operator configures.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

REPORT_PATH = "/csp-report/"
REPORT_GROUP = "csp-endpoint"


def origin_of(value: str) -> str:
    """``https://host[:port]`` of ``value``; raises ``ImproperlyConfigured`` otherwise.

    Only HTTPS origins may receive a form: a plain-HTTP target would leak what a member
    typed, and anything with a path, quote or space could smuggle another directive in.
    """
    parts = urlsplit(value.strip())
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
        or any(char in value for char in " ;,'\"")
    ):
        raise ImproperlyConfigured(
            f"FORTRESA_CSP_FORM_ACTION: {value!r} is not an https origin such as "
            "https://pay.example.com"
        )
    port = f":{parts.port}" if parts.port and parts.port != 443 else ""
    return f"https://{parts.hostname}{port}"


class ContentSecurityPolicy:
    """Renders the policy for one response, given that response's nonce (if it has one)."""

    def __init__(self, *, form_action_origins: Iterable[str] = ()) -> None:
        form_action = " ".join(["'self'", *(origin_of(o) for o in form_action_origins)])
        self._template = "; ".join(
            [
                "default-src 'none'",
                "script-src 'self' 'nonce-{nonce}'",
                "style-src 'self'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "manifest-src 'self'",
                f"form-action {form_action}",
                "frame-ancestors 'none'",
                "base-uri 'none'",
                "object-src 'none'",
                f"report-uri {REPORT_PATH}",
                f"report-to {REPORT_GROUP}",
            ]
        )

        # A response that issued no nonce (no page rendered one: a redirect, JSON, a
        # static file) carries no script of its own: its policy names no nonce at all.
        self._without_nonce = self._template.replace(" 'nonce-{nonce}'", "")

    def header(self, nonce: str | None) -> str:
        return self._without_nonce if nonce is None else self._template.format(nonce=nonce)


# The Reporting API resolves a relative endpoint against the page's own (HTTPS) URL.
REPORTING_ENDPOINTS = f'{REPORT_GROUP}="{REPORT_PATH}"'

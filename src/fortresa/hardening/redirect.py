"""The plain-HTTP listener: every request gets a 301 to the same path over HTTPS.

It is a tiny WSGI application, not Django, so nothing on the cleartext port can ever
serve content, set a cookie or read the database. The redirect target keeps the path
and query but only ever names a host the site answers to: a forged ``Host`` header
cannot turn it into an open redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.http.request import split_domain_port, validate_host

WsgiEnviron = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApplication = Callable[[WsgiEnviron, StartResponse], Iterable[bytes]]

# RFC 3986 path and query characters that may appear unescaped.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?%"


class HttpsRedirect:
    """WSGI application answering ``301 Moved Permanently`` to ``https://host:port/path``."""

    def __init__(self, *, https_port: int, allowed_hosts: list[str]) -> None:
        self._port_suffix = "" if https_port == 443 else f":{https_port}"
        self._allowed_hosts = allowed_hosts
        self._fallback_host = next(
            (host for host in allowed_hosts if host and host != "*" and not host.startswith(".")),
            "localhost",
        )

    def __call__(self, environ: WsgiEnviron, start_response: StartResponse) -> list[bytes]:
        location = self.location(environ)
        body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else b"Use HTTPS.\n"
        start_response(
            "301 Moved Permanently",
            [
                ("Location", location),
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )
        return [body]

    def location(self, environ: WsgiEnviron) -> str:
        host = self.target_host(str(environ.get("HTTP_HOST", "")))
        # WSGI hands over the decoded path as latin-1 text; re-encode it byte for byte.
        raw_path = str(environ.get("PATH_INFO", "") or "/").encode("latin-1", "replace")
        path = quote(raw_path, safe=_PATH_SAFE)
        if not path.startswith("/"):
            path = "/" + path
        query = quote(
            str(environ.get("QUERY_STRING", "")).encode("latin-1", "replace"), _QUERY_SAFE
        )
        return f"https://{host}{self._port_suffix}{path}{'?' + query if query else ''}"

    def target_host(self, host_header: str) -> str:
        domain, _port = split_domain_port(host_header)
        if domain and validate_host(domain, self._allowed_hosts):
            return domain
        return self._fallback_host


def create_application() -> WsgiApplication:
    """Granian factory (``--factory``): reads the port and allowed hosts from settings."""
    from django.conf import settings

    return HttpsRedirect(https_port=settings.HTTPS_PORT, allowed_hosts=settings.ALLOWED_HOSTS)

"""The one outbound HTTP client for talking to payment gateways.

Timeouts on every call, redirects never followed (``http.client`` does not follow
them, and a 3xx is an error here), TLS verified against the system's CAs (plus the local
CA of the embedded default). Plain HTTP is refused, except to a loopback address
outside production, where the test simulators listen.

The demo's simulators are mounted in this very application (``/simulator/``): calls to
them are handed to the simulator in-process instead of over HTTP, since a web worker
waiting on another worker of the same small server can deadlock it.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import json
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1_000_000


class GatewayUnavailable(Exception):
    """The gateway did not answer in time, refused the connection, or answered nonsense."""


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body)
        except ValueError as exc:
            raise GatewayUnavailable("the gateway answered with malformed JSON") from exc
        if not isinstance(value, dict):
            raise GatewayUnavailable("the gateway answered with unexpected JSON")
        return value


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class GatewayHttpClient:
    """Sends one request and returns the response; raises GatewayUnavailable on faults."""

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = (
            float(getattr(settings, "FORTRESA_PAYMENT_HTTP_TIMEOUT", DEFAULT_TIMEOUT))
            if timeout is None
            else timeout
        )
        self._production = settings.PROFILE == "production"
        self._context = ssl.create_default_context()
        local_ca = Path(settings.VAR_DIR) / "tls" / "ca.pem"
        if not self._production and local_ca.exists():
            self._context.load_verify_locations(cafile=str(local_ca))

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            return (
                http.client.HTTPSConnection(
                    host, parts.port, timeout=self.timeout, context=self._context
                ),
                path,
            )
        if parts.scheme == "http" and not self._production and _is_loopback(host):
            return http.client.HTTPConnection(host, parts.port, timeout=self.timeout), path
        raise GatewayUnavailable(f"refusing to call {parts.scheme}://{host}: not HTTPS")

    def _mounted_simulator(self, url: str) -> str | None:
        """The path under ``/simulator`` if ``url`` is this site's own simulator mount."""
        if self._production or not getattr(settings, "FORTRESA_PAYMENT_SIMULATORS", False):
            return None
        prefix = str(settings.FORTRESA_SITE_URL).rstrip("/") + "/simulator/"
        return url[len(prefix) - 1 :] if url.startswith(prefix) else None

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> GatewayResponse:
        mounted = self._mounted_simulator(url)
        if mounted is not None:
            return _call_mounted_simulator(method, mounted, headers or {}, body)
        connection, path = self._connection(url)
        try:
            connection.request(method, path, body=body or None, headers=headers or {})
            response = connection.getresponse()
            data = response.read(MAX_RESPONSE_BYTES + 1)
        except TimeoutError as exc:
            raise GatewayUnavailable("the gateway did not answer in time") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise GatewayUnavailable(f"the gateway could not be reached: {exc}") from exc
        finally:
            connection.close()
        if len(data) > MAX_RESPONSE_BYTES:
            raise GatewayUnavailable("the gateway's answer is too large")
        if 300 <= response.status < 400:
            raise GatewayUnavailable("the gateway answered with a redirect, which is not followed")
        return GatewayResponse(
            status=response.status,
            body=data,
            headers={k.lower(): v for k, v in response.getheaders()},
        )


def _call_mounted_simulator(
    method: str, path_and_query: str, headers: dict[str, str], body: bytes
) -> GatewayResponse:
    from fortresa.payments.simulators.views import demo_simulators

    site = urlsplit(str(settings.FORTRESA_SITE_URL))
    path, _sep, query = path_and_query.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "/simulator",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or 443),
        "HTTP_HOST": site.netloc,
        "wsgi.url_scheme": site.scheme,
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = {k.lower(): v for k, v in response_headers}

    data = b"".join(demo_simulators()(environ, start_response))
    return GatewayResponse(status=captured["status"], body=data, headers=captured["headers"])

from __future__ import annotations

from typing import Any

import pytest

from fortresa.hardening.redirect import HttpsRedirect

pytestmark = pytest.mark.smoke

ALLOWED = ["localhost", "127.0.0.1", "[::1]"]


def _call(
    app: HttpsRedirect,
    *,
    host: str = "localhost:8080",
    path: str = "/",
    query: str = "",
    method: str = "GET",
) -> tuple[str, dict[str, str], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"], captured["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": method,
        "HTTP_HOST": host,
        "PATH_INFO": path,
        "QUERY_STRING": query,
    }
    body = b"".join(app(environ, start_response))
    return captured["status"], captured["headers"], body


def test_redirect_keeps_host_path_and_query_and_swaps_port() -> None:
    app = HttpsRedirect(https_port=8443, allowed_hosts=ALLOWED)

    status, headers, _ = _call(app, path="/c/demo/", query="day=2026-01-01&x=1")

    assert status.startswith("301")
    assert headers["Location"] == "https://localhost:8443/c/demo/?day=2026-01-01&x=1"


def test_redirect_omits_port_443() -> None:
    app = HttpsRedirect(https_port=443, allowed_hosts=["club.example"])

    _, headers, _ = _call(app, host="club.example", path="/status/")

    assert headers["Location"] == "https://club.example/status/"


def test_redirect_keeps_ipv6_literal_host() -> None:
    app = HttpsRedirect(https_port=8443, allowed_hosts=ALLOWED)

    _, headers, _ = _call(app, host="[::1]:8080")

    assert headers["Location"] == "https://[::1]:8443/"


@pytest.mark.parametrize(
    "host",
    ["evil.example", "localhost\r\nSet-Cookie: a=b", "local host", "", "localhost@evil.example"],
)
def test_redirect_replaces_foreign_or_malformed_host_with_first_allowed(host: str) -> None:
    app = HttpsRedirect(https_port=8443, allowed_hosts=ALLOWED)

    _, headers, _ = _call(app, host=host)

    assert headers["Location"] == "https://localhost:8443/"


def test_redirect_escapes_control_characters_in_path_and_query() -> None:
    app = HttpsRedirect(https_port=8443, allowed_hosts=ALLOWED)

    _, headers, _ = _call(app, path="/a b\r\nX: y", query="q=\r\n<script>")

    assert headers["Location"] == "https://localhost:8443/a%20b%0D%0AX:%20y?q=%0D%0A%3Cscript%3E"


def test_redirect_answers_with_tiny_text_and_no_body_for_head() -> None:
    app = HttpsRedirect(https_port=8443, allowed_hosts=ALLOWED)

    _, get_headers, get_body = _call(app)
    _, _, head_body = _call(app, method="HEAD")

    assert get_headers["Content-Type"].startswith("text/plain")
    assert len(get_body) < 32
    assert head_body == b""

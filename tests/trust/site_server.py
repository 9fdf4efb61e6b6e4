"""A real HTTPS server on a free loopback port, answering with the headers a test sets,
and certificates made with ``cryptography`` for it and for the transport section."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.status.servers import make_certificates

GOOD_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'nonce-abc123'; "
    "style-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Server": "ExampleServer/9.9.9",
}
GOOD_COOKIE = "__Host-csrftoken=abc; Path=/; Secure; HttpOnly; SameSite=Lax"


def write_certificate(directory: Path, *, valid_for: dt.timedelta) -> tuple[Path, Path, Path]:
    """A test CA and a localhost certificate valid from an hour ago for ``valid_for``.

    Returns (CA file, certificate file, key file)."""
    now = dt.datetime.now(dt.UTC)
    files = make_certificates(
        directory, not_before=now - dt.timedelta(hours=1), not_after=now + valid_for
    )
    return files.ca_file, files.cert_file, files.key_file


class SiteServer:
    """Serves every GET with status 200, ``headers`` and ``cookies`` (change them any time)."""

    def __init__(self, directory: Path) -> None:
        self.ca_file, cert_file, key_file = write_certificate(
            directory, valid_for=dt.timedelta(days=90)
        )
        self.headers: dict[str, str] = dict(GOOD_HEADERS)
        self.cookies: list[str] = [GOOD_COOKIE]
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                server.paths.append(self.path)
                body = b"<!DOCTYPE html><title>login</title>"
                self.send_response(200)
                for name, value in server.headers.items():
                    self.send_header(name, value)
                for cookie in server.cookies:
                    self.send_header("Set-Cookie", cookie)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

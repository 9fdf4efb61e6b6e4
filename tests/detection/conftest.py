from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

WEBHOOK_SECRET = "webhook-secret-for-tests-0123456789"  # pragma: allowlist secret


@dataclass
class WebhookReceiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    failures_left: int = 0


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A real HTTP server on a free local port recording what it receives."""
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append({"headers": dict(self.headers), "body": body})
            if receiver.failures_left > 0:
                receiver.failures_left -= 1
                self.send_response(503)
            else:
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook(settings: SettingsWrapper, webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    settings.FORTRESA_ALERT_WEBHOOK_URL = webhook_receiver.url
    settings.FORTRESA_ALERT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.FORTRESA_ALERT_WEBHOOK_BACKOFF = (0.01,)
    return webhook_receiver


def webhook_documents(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    return [json.loads(item["body"]) for item in receiver.requests]


@pytest.fixture(autouse=True)
def _no_alerts_from_other_processes(request: pytest.FixtureRequest) -> None:
    """Every database test here starts without alerts other processes committed."""
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("no_foreign_alerts")

"""Latency from an injected request to the alert delivered by webhook.

Uses a throw-away PostgreSQL test database (pytest-django's machinery is not needed: the
Django test runner utilities create and drop it), a real local HTTP receiver and the
full middleware stack through Django's test client; Celery runs eagerly as in tests.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def measure(rounds: int) -> list[float]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    received: list[float] = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(time.perf_counter())
            self.send_response(204)
            self.end_headers()
            arrived.set()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.FORTRESA_ALERT_WEBHOOK_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    settings.FORTRESA_ALERT_WEBHOOK_SECRET = "bench-webhook-secret-0123456789"  # noqa: S105  # pragma: allowlist secret
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    samples: list[float] = []
    try:
        client = Client()
        for index in range(rounds):
            arrived.clear()
            start = time.perf_counter()
            # A distinct field each time: a repeat would be deduplicated, not delivered.
            client.get("/", {f"q{index}": "1' AND 1234=1234-- x"})
            if arrived.wait(5):
                samples.append(received[-1] - start)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        server.shutdown()
    return samples

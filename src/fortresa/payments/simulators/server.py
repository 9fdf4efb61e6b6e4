"""Serving the simulators on a loopback port (tests) and provisioning merchants."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from fortresa.payments.simulators import paybox, paypal, stripe
from fortresa.payments.simulators.app import GatewaySimulators
from fortresa.payments.simulators.store import SimulatorStore


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return


def provision(store: SimulatorStore, provider: str, *, notify_url: str) -> dict[str, str]:
    """Open a merchant account at the simulated ``provider``; returns its credentials."""
    if provider == "paypal":
        return paypal.provision(store, webhook_url=notify_url)
    if provider == "stripe":
        return stripe.provision(store, webhook_url=notify_url)
    if provider == "paybox":
        return paybox.provision(store)
    raise KeyError(provider)


@dataclass
class RunningSimulators:
    base_url: str
    app: GatewaySimulators
    server: _ThreadingServer
    thread: threading.Thread

    @property
    def store(self) -> SimulatorStore:
        return self.app.store

    def url(self, provider: str) -> str:
        return f"{self.base_url}/{provider}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_simulators(*, deliver: bool = False) -> RunningSimulators:
    """Serve fresh simulators (own namespace) on 127.0.0.1 and a free port."""
    app = GatewaySimulators(SimulatorStore(f"t{secrets.token_hex(6)}"), deliver=deliver)
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return RunningSimulators(f"http://127.0.0.1:{server.server_port}", app, server, thread)

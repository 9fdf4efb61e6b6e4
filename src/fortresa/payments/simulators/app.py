"""The three simulators behind one WSGI application, and the delivery of what they send."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from fortresa.payments.simulators.paybox import PayboxSimulator
from fortresa.payments.simulators.paypal import PayPalSimulator
from fortresa.payments.simulators.store import Outgoing, SimulatorStore
from fortresa.payments.simulators.stripe import StripeSimulator
from fortresa.payments.simulators.wsgi import SimRequest, StartResponse, not_found, respond

logger = logging.getLogger(__name__)
DELIVERY_ATTEMPTS = 5


class GatewaySimulators:
    """``/paypal/...``, ``/paybox/...`` and ``/stripe/...`` as one WSGI application.

    With ``deliver`` set (the demo), notifications are posted to the merchant from a
    background thread, after the response that caused them, with retries; without it
    (the tests) they wait in the outbox for the test to deliver, replay or drop.
    """

    def __init__(self, store: SimulatorStore, *, deliver: bool = False) -> None:
        self.store = store
        self.deliver = deliver
        self.apps: dict[str, PayPalSimulator | PayboxSimulator | StripeSimulator] = {
            "paypal": PayPalSimulator(store),
            "paybox": PayboxSimulator(store),
            "stripe": StripeSimulator(store),
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "/"))
        name, _sep, rest = path.lstrip("/").partition("/")
        app = self.apps.get(name)
        if app is None:
            return respond(not_found(), start_response)
        environ = {
            **environ,
            "SCRIPT_NAME": f"{environ.get('SCRIPT_NAME', '')}/{name}",
            "PATH_INFO": f"/{rest}",
        }
        response = app.router.dispatch(SimRequest.from_environ(environ))
        if self.deliver:
            outgoing = self.store.take_outbox()
            if outgoing:
                threading.Thread(target=deliver_all, args=(outgoing,), daemon=True).start()
        return respond(response, start_response)


def deliver_all(outgoing: list[Outgoing]) -> None:
    from fortresa.payments.http import GatewayHttpClient, GatewayUnavailable

    client = GatewayHttpClient(timeout=15)
    for item in outgoing:
        for attempt in range(DELIVERY_ATTEMPTS):
            # Give the member's own redirect a head start, as real gateways' queues do.
            time.sleep(0.5 * (2**attempt))
            try:
                response = client.request(
                    item.method, item.url, headers=item.headers, body=item.body
                )
            except GatewayUnavailable as exc:
                logger.warning("simulator: delivery to %s failed: %s", item.url, exc)
                continue
            if response.status < 500:
                break

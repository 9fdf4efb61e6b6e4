"""The simulators mounted under ``/simulator/`` for the embedded demo (never production)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from fortresa.payments.simulators.app import GatewaySimulators
from fortresa.payments.simulators.store import SimulatorStore, SqliteBackend

DEMO_NAMESPACE = "demo"
PREFIX = "/simulator"


@cache
def demo_simulators() -> GatewaySimulators:
    backend = SqliteBackend(Path(settings.VAR_DIR) / "payment-simulators.sqlite3")
    return GatewaySimulators(SimulatorStore(DEMO_NAMESPACE, backend), deliver=True)


def simulators_enabled() -> bool:
    return settings.PROFILE != "production" and bool(
        getattr(settings, "FORTRESA_PAYMENT_SIMULATORS", False)
    )


@csrf_exempt  # a stand-in for another site: it has its own rules, not our CSRF tokens
def simulator(request: HttpRequest, path: str) -> HttpResponse:
    if not simulators_enabled():
        raise Http404
    environ: dict[str, Any] = dict(request.META)
    body = request.body
    environ.update(
        {
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "SCRIPT_NAME": PREFIX,
            "PATH_INFO": f"/{path}",
            "wsgi.url_scheme": request.scheme,
            "HTTP_HOST": request.get_host(),
        }
    )
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers

    chunks = demo_simulators()(environ, start_response)
    response = HttpResponse(b"".join(chunks), status=captured["status"])
    for name, value in captured["headers"]:
        response[name] = value
    return response

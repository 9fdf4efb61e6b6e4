"""Prometheus text exposition (version 0.0.4) of the status area, for operators.

Served at /ops/metrics to addresses in ``FORTRESA_METRICS_ALLOWED_CIDRS`` (loopback by
default) or to a signed-in operator. Labels carry component and probe identifiers only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fortresa.core.request import client_ip
from fortresa.status.components import ComponentStatus, severity
from fortresa.status.conf import status_settings
from fortresa.status.models import ComponentState, Incident, Subscriber
from fortresa.status.selectors import latest_check_results

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        rendered = ",".join(f'{key}="{_escape(text)}"' for key, text in sorted(labels.items()))
        lines.append(f"{name}{{{rendered}}} {value:g}" if rendered else f"{name} {value:g}")
    return lines


def exposition(*, now: datetime) -> str:
    states = list(ComponentState.objects.order_by("component"))
    results = latest_check_results()
    lines: list[str] = []
    lines += _family(
        "fortresa_component_status",
        "gauge",
        "Published component status: -1 not configured, 0 operational, 1 degraded, "
        "2 partial outage, 3 major outage.",
        (({"component": s.component}, severity(s.status)) for s in states),
    )
    lines += _family(
        "fortresa_component_up",
        "gauge",
        "1 unless the component is in partial or major outage.",
        (
            ({"component": s.component}, 0 if severity(s.status) >= 2 else 1)
            for s in states
            if s.status != ComponentStatus.NOT_CONFIGURED
        ),
    )
    lines += _family(
        "fortresa_probe_status",
        "gauge",
        "Status found by the newest run of each probe (same scale as component status).",
        (({"probe": r.probe, "component": r.component}, severity(r.status)) for r in results),
    )
    lines += _family(
        "fortresa_probe_response_seconds",
        "gauge",
        "Response time measured by the newest run of each probe.",
        (({"probe": r.probe}, r.response_ms / 1000) for r in results if r.response_ms is not None),
    )
    lines += _family(
        "fortresa_probe_age_seconds",
        "gauge",
        "Seconds since the newest run of each probe.",
        (({"probe": r.probe}, round((now - r.checked_at).total_seconds(), 3)) for r in results),
    )
    lines += _family(
        "fortresa_open_incidents",
        "gauge",
        "Incidents not yet resolved.",
        [
            (
                {},
                Incident.objects.filter(
                    kind=Incident.Kind.INCIDENT, resolved_at__isnull=True
                ).count(),
            )
        ],
    )
    lines += _family(
        "fortresa_status_subscribers",
        "gauge",
        "Confirmed email subscribers to incident updates.",
        [({}, Subscriber.objects.filter(confirmed_at__isnull=False).count())],
    )
    return "\n".join(lines) + "\n"


def metrics_allowed(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_staff:
        return True
    address = client_ip(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in status_settings().metrics_allowed)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(now=timezone.now()), content_type=CONTENT_TYPE)

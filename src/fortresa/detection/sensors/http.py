"""HTTP sensor: classifies every value a request carries, alerts, and blocks in block mode.

Query strings, form fields, JSON bodies, headers, cookies and the path are inspected.
Password fields and one-time codes are never read: their values are nobody's business,
not even ours. The application SQL sensor is installed around the view from here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fortresa.core.request import client_ip
from fortresa.dbaccess.postgresql.base import wrap_request_queries
from fortresa.detection.alerts import raise_alert
from fortresa.detection.conf import detection_settings
from fortresa.detection.models import Alert
from fortresa.detection.rules import Verdict, classify
from fortresa.detection.sensors.auth import observe_account_event
from fortresa.detection.sensors.sql import StatementSensor

# Fields never read: passwords, TOTP and recovery codes.
SECRET_FIELD = re.compile(r"pass(?:word|wd)|otp|recovery|^code$|_code$", re.I)
# Headers that carry only browser plumbing or credentials, and Host: Django refuses (400)
# a Host that is not in ALLOWED_HOSTS, or holds anything but letters, digits, dots,
# hyphens and a port, before this runs (CommonMiddleware asks for it): none is an attack.
SKIPPED_HEADERS = frozenset(
    {
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_AUTHORIZATION",
        "HTTP_COOKIE",
        "HTTP_CONNECTION",
        "HTTP_CACHE_CONTROL",
        "HTTP_PRAGMA",
        "HTTP_UPGRADE_INSECURE_REQUESTS",
        "HTTP_X_CSRFTOKEN",
        "HTTP_CONTENT_LENGTH",
        "HTTP_CONTENT_TYPE",
        "HTTP_PRIORITY",
        "HTTP_DNT",
    }
)
MAX_JSON_BODY = 1_000_000
KIND_BY_VERDICT = {
    "sqli": (Alert.Kind.SQL_INJECTION, Alert.Severity.HIGH),
    "xss": (Alert.Kind.XSS, Alert.Severity.MEDIUM),
    "traversal": (Alert.Kind.PATH_TRAVERSAL, Alert.Severity.HIGH),
    "cmdi": (Alert.Kind.COMMAND_INJECTION, Alert.Severity.HIGH),
}

Value = tuple[str, str, str]  # (location, field name, value)


def _json_values(node: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{path}.{key}" if path else str(key)
            if SECRET_FIELD.search(str(key)):
                continue
            yield name, str(key)
            yield from _json_values(value, name)
    elif isinstance(node, list):
        for index, value in enumerate(node[:1000]):
            yield from _json_values(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


@lru_cache(maxsize=256)
def _header_name(key: str) -> str:
    return key[5:].replace("_", "-").title()


def request_values(request: HttpRequest) -> Iterator[Value]:
    """Every inspectable value of ``request``, password fields and codes left out."""
    yield "path", "path", request.path
    # Parsing an empty query string still builds a QueryDict: skip it when there is none.
    if request.META.get("QUERY_STRING"):
        for name, values in request.GET.lists():
            yield "query", "name", name
            for value in values:
                yield "query", name, value
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            for name, values in request.POST.lists():
                if SECRET_FIELD.search(name):
                    continue
                yield "form", "name", name
                for value in values:
                    yield "form", name, value
        elif content_type == "application/json" and len(request.body) <= MAX_JSON_BODY:
            try:
                document = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                document = None
            for name, value in _json_values(document, ""):
                yield "json", name, value
    for key, value in request.META.items():
        # The WSGI environ also holds the server's own variables: headers first.
        if key[:5] == "HTTP_" and key not in SKIPPED_HEADERS and key[:9] != "HTTP_SEC_":
            yield "header", _header_name(key), str(value)
    if "HTTP_COOKIE" in request.META:  # parsing no cookie still builds a dict
        for name, value in request.COOKIES.items():
            yield "cookie", name, value


def inspect_request(request: HttpRequest) -> tuple[Value, Verdict] | None:
    for location, name, value in request_values(request):
        if not value:
            continue
        verdict = classify(value)
        if verdict.is_attack:
            return (location, name, value), verdict
    return None


class DetectionMiddleware:
    """Classify each request; alert on attacks; answer 403 in block mode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.block = detection_settings().mode == "block"
        self.statement_sensor = StatementSensor()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = inspect_request(request)
        if found is not None:
            self._alert(request, *found)
            if self.block:
                return render(request, "detection/blocked.html", status=403)
        # Installed with the request's transaction: a request without a query skips it.
        with wrap_request_queries(self.statement_sensor.for_path(request.path)):
            response = self.get_response(request)
        if response.status_code == 403 and found is None:
            observe_account_event(
                "access.denied", ip_address=client_ip(request), subject=request.path
            )
        return response

    def _alert(self, request: HttpRequest, value: Value, verdict: Verdict) -> None:
        location, name, text = value
        kind, severity = KIND_BY_VERDICT[verdict.verdict]
        ip = client_ip(request) or "unknown"
        sensitive_cookie = location == "cookie" and re.search(r"session|csrf", name, re.I)
        raise_alert(
            kind=kind,
            severity=severity,
            source="http",
            subject=ip,
            key=f"{request.path}|{location}|{name}",
            evidence={
                "method": request.method,
                "path": request.path,
                "location": location,
                "field": name,
                "value": "[redacted]" if sensitive_cookie else text[:500],
                "rule": verdict.rule,
                "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:200],
                "action": "blocked" if self.block else "allowed",
            },
        )

"""A very small WSGI toolkit for the simulators: request, responses, routing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.template.loader import render_to_string

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
MAX_BODY = 100_000


@dataclass
class SimRequest:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]
    base_url: str

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> SimRequest:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        host = headers.get("host") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{host}{environ.get('SCRIPT_NAME', '')}"
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=str(environ.get("PATH_INFO", "/")),
            query=str(environ.get("QUERY_STRING", "")),
            body=body,
            headers=headers,
            base_url=base.rstrip("/"),
        )

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True))

    def form_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)

    def args(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class SimResponse:
    status: int
    body: bytes
    content_type: str
    location: str = ""


REASONS = {
    200: "OK",
    201: "Created",
    303: "See Other",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    422: "Unprocessable Entity",
}


def as_json(status: int, value: dict[str, Any]) -> SimResponse:
    return SimResponse(status, json.dumps(value).encode(), "application/json")


def as_form(values: dict[str, str]) -> SimResponse:
    from urllib.parse import urlencode

    return SimResponse(200, urlencode(values).encode(), "application/x-www-form-urlencoded")


def as_page(template: str, context: dict[str, Any], status: int = 200) -> SimResponse:
    return SimResponse(status, render_to_string(template, context).encode(), "text/html")


def see_other(location: str) -> SimResponse:
    return SimResponse(303, b"", "text/plain", location)


def not_found() -> SimResponse:
    return as_json(404, {"error": "not_found"})


Handler = Callable[..., SimResponse]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def dispatch(self, request: SimRequest) -> SimResponse:
        allowed = False
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match:
                allowed = True
                if method == request.method:
                    return handler(request, **match.groupdict())
        return as_json(405, {"error": "method_not_allowed"}) if allowed else not_found()


def respond(response: SimResponse, start_response: StartResponse) -> Iterable[bytes]:
    headers = [("Content-Type", response.content_type), ("Cache-Control", "no-store")]
    if response.location:
        headers.append(("Location", response.location))
    start_response(f"{response.status} {REASONS.get(response.status, 'Status')}", headers)
    return [response.body]

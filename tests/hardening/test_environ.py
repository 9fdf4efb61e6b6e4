"""The server process's environment never reaches a request: secrets stay out of
request.META, and a server variable named like a header does not pass for one."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from fortresa.detection.models import Alert
from fortresa.hardening.environ import ProcessEnvironScrub, process_variables
from fortresa.hardening.servers import wsgi_target

PROCESS = {
    "DATABASE_URL": "postgresql://fortresa@db.internal/fortresa",
    "FORTRESA_SECRET_KEY": "k" * 50,
    "HTTP_PROXY": "http://proxy.internal:3128",
    # A process variable that shares a CGI name: the request's own value is kept.
    "SERVER_NAME": "build-host",
}


def _request(**extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "QUERY_STRING": "",
        "SERVER_NAME": "club.example",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.10",
        "HTTP_HOST": "club.example",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **extra,
    }


class Recorder:
    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.environ = dict(environ)
        start_response("204 No Content", [])
        return []


def _serve(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> str:
    status: list[str] = []
    body = app(environ, lambda line, headers, exc_info=None: status.append(line))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return status[0]


def test_process_variables_leave_out_what_a_request_defines() -> None:
    names = process_variables({**PROCESS, "PATH_INFO": "/", "wsgi.input": "x"})
    assert names == {"DATABASE_URL", "FORTRESA_SECRET_KEY", "HTTP_PROXY"}


@pytest.mark.smoke
def test_the_app_sees_only_the_request() -> None:
    recorder = Recorder()
    # As granian builds it: the process environment, then the request over it.
    environ = PROCESS | _request(HTTP_USER_AGENT="Mozilla/5.0")
    assert _serve(ProcessEnvironScrub(recorder, PROCESS), environ) == "204 No Content"
    seen = recorder.environ
    assert "DATABASE_URL" not in seen
    assert "FORTRESA_SECRET_KEY" not in seen
    # httpoxy: a server's HTTP_PROXY must not read as a client's Proxy header.
    assert "HTTP_PROXY" not in seen
    assert seen["SERVER_NAME"] == "club.example"
    assert seen["HTTP_USER_AGENT"] == "Mozilla/5.0"
    assert seen["HTTP_HOST"] == "club.example"
    assert seen["wsgi.url_scheme"] == "https"


def test_a_request_without_the_process_variables_is_untouched() -> None:
    recorder = Recorder()
    environ = _request()
    _serve(ProcessEnvironScrub(recorder, PROCESS), dict(environ))
    assert recorder.environ.keys() == environ.keys()


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """As Django's test client does: the handler's signals must not close the test's
    connection (its transaction holds the test's rows)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_a_server_variable_named_like_a_header_raises_no_alert(settings: Any) -> None:
    """Unscrubbed, the detection sensor takes the server's variable for a client header
    and alerts on every request; scrubbed, it never sees it."""
    settings.ALLOWED_HOSTS = ["club.example"]
    process = {"HTTP_X_PROBE": "1' UNION ALL SELECT NULL,password FROM accounts_user-- -"}

    _serve(WSGIHandler(), process | _request())
    assert Alert.objects.get().evidence["field"] == "X-Probe"
    Alert.objects.all().delete()

    _serve(ProcessEnvironScrub(WSGIHandler(), process), process | _request())
    assert not Alert.objects.exists()


def test_the_site_entry_point_scrubs_and_serve_runs_it(settings: Any) -> None:
    from fortresa import wsgi

    assert isinstance(wsgi.application, ProcessEnvironScrub)
    assert isinstance(wsgi.application.app, WSGIHandler)
    assert wsgi_target() == "fortresa.wsgi:application"
    settings.WSGI_APPLICATION = "bench.web.wsgi.application"
    assert wsgi_target() == "bench.web.wsgi:application"

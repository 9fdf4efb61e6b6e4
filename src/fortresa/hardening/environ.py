"""Keep the server process's own environment out of each request's WSGI environ.

Some WSGI servers start every request's environ from a copy of their process
environment (granian, which ``fortresa serve`` runs, does), so ``request.META`` would
carry ``DATABASE_URL``, ``FORTRESA_SECRET_KEY`` and any other secret passed in the
environment into every view, log line and error report that shows it. A server
variable named like a header (``HTTP_PROXY``) would also pass for one the client sent,
and be classified by the detection sensor on every request. Only what the request itself
defines may reach Django: the CGI variables (RFC 3875), the ``wsgi.*`` keys and the
headers the client sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Variables a server sets for the request itself (RFC 3875 and PEP 3333, plus the
# request line some servers add): never taken for the process's own.
REQUEST_VARIABLES = frozenset(
    {
        "AUTH_TYPE",
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "GATEWAY_INTERFACE",
        "PATH_INFO",
        "PATH_TRANSLATED",
        "QUERY_STRING",
        "RAW_URI",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_IDENT",
        "REMOTE_PORT",
        "REMOTE_USER",
        "REQUEST_METHOD",
        "REQUEST_URI",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
    }
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def process_variables(environment: Mapping[str, str]) -> frozenset[str]:
    """The names in ``environment`` that no request defines."""
    return frozenset(
        name
        for name in environment
        if name not in REQUEST_VARIABLES and not name.startswith("wsgi.")
    )


class ProcessEnvironScrub:
    """WSGI middleware: drops the variables of the process environment it was given.

    A request header that shares a name with one of them (a ``Proxy`` header against the
    server's ``HTTP_PROXY``) is dropped with it: neither can be told apart once merged,
    and a header of that name is the "httpoxy" attack anyway.
    """

    def __init__(self, app: WsgiApp, environment: Mapping[str, str]) -> None:
        self.app = app
        self.dropped = tuple(sorted(process_variables(environment)))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # PEP 3333 lets the application change the environ it is given: it is this
        # request's own dict. Popping each name is cheaper than building a new one.
        pop = environ.pop
        for name in self.dropped:
            pop(name, None)
        return self.app(environ, start_response)

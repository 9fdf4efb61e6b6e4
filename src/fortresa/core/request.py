"""Who is asking: the one place that decides a request's client address."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.http import HttpRequest

from fortresa.core.env import Env


@lru_cache(maxsize=1)
def trusted_proxy_count() -> int:
    """How many reverse proxies in front of us append to ``X-Forwarded-For`` (default 0)."""
    return Env().integer("FORTRESA_TRUSTED_PROXY_COUNT", 0, minimum=0)


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest, *, proxies: int | None = None) -> str | None:
    """The client's address.

    With no trusted proxy (the default) it is the peer address and ``X-Forwarded-For``
    is ignored, since anyone can send it. With ``n`` trusted proxies, each appending the
    address it saw, the client is the ``n``-th entry from the right: entries further left
    were written by the client and prove nothing.
    """
    count = trusted_proxy_count() if proxies is None else proxies
    peer = _address(str(request.META.get("REMOTE_ADDR") or ""))
    if count == 0:
        return peer
    forwarded = [
        item for item in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if item
    ]
    if len(forwarded) < count:
        # Fewer hops than configured proxies: the request bypassed a proxy; trust the peer.
        return peer
    return _address(forwarded[-count]) or peer


def session_holds(request: HttpRequest, key: str) -> bool:
    """Whether the session the browser sent holds ``key``.

    A request that sent no session cookie has an empty session: it is answered without
    opening one, since opening a session (even an empty one) makes Django mark the
    response ``Vary: Cookie`` and costs every anonymous request that work.
    """
    session = getattr(request, "session", None)
    return session is not None and session.session_key is not None and key in session

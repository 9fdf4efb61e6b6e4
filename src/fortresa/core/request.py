from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Proxy headers are not trusted until a proxy is configured."""
    address = request.META.get("REMOTE_ADDR")
    return address or None

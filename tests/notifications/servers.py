"""Real servers for the mail tests: an SMTP server (aiosmtpd) and a DNS server (dnslib),
each in a thread on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from tests.ports import free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd receiving on 127.0.0.1:<port>; ``stop`` and ``start`` simulate an outage."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = _Inbox()
        self.controller: Controller | None = None

    @property
    def messages(self) -> list[Any]:
        with self.inbox.lock:
            return list(self.inbox.messages)

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
            time.sleep(0.05)


class _TxtResolver(BaseResolver):  # type: ignore[misc]
    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records

    def resolve(self, request: Any, handler: Any) -> Any:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.TXT:
            for value in self.records.get(name, []):
                # One TXT record may hold several strings of at most 255 bytes each.
                chunks = [value[i : i + 255] for i in range(0, len(value), 255)]
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        return reply


class DnsServer:
    """Answers TXT queries from ``records`` (name -> values); change them at any time."""

    def __init__(self) -> None:
        self.port = free_port(socket.SOCK_DGRAM)
        self.records: dict[str, list[str]] = {}
        self.server = DNSServer(_TxtResolver(self.records), port=self.port, address="127.0.0.1")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server.start_thread()

    def stop(self) -> None:
        self.server.stop()

from __future__ import annotations

import dataclasses
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.notifications.servers import DnsServer, SmtpServer

DOMAIN = "mail.example.test"


@pytest.fixture
def email_settings(settings: Any, tmp_path: Path) -> Any:
    """The pipeline's settings for a sending domain with its own keys under tmp_path."""
    settings.FORTRESA_SITE_URL = "https://courts.example.test"
    settings.FORTRESA_EMAIL = dataclasses.replace(
        settings.FORTRESA_EMAIL,
        from_email=f"Fortresa <no-reply@{DOMAIN}>",
        domain=DOMAIN,
        dkim_key_dir=tmp_path / "dkim",
        unsubscribe_mailto=f"unsubscribe@{DOMAIN}",
        dmarc_rua=f"mailto:dmarc@{DOMAIN}",
        spf_mechanisms=("ip4:192.0.2.10",),
    )
    return settings


@pytest.fixture
def smtp(email_settings: Any) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    email_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    email_settings.EMAIL_HOST = "127.0.0.1"
    email_settings.EMAIL_PORT = server.port
    email_settings.EMAIL_USE_TLS = False
    email_settings.EMAIL_HOST_USER = ""
    email_settings.EMAIL_HOST_PASSWORD = ""
    email_settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def dns_server() -> Iterator[DnsServer]:
    server = DnsServer()
    server.start()
    yield server
    server.stop()


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]

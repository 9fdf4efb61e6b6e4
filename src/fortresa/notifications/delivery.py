"""Signing and handing queued messages to the relay, with retries and backoff.

The queue is the ``PendingMessage`` table, so a relay outage or a lost task loses
nothing: a failed attempt stays queued with a later ``next_attempt_at`` (doubling each
time) and the scheduler's ``deliver_due_messages`` tries again. A row is locked while it
is being sent, so two workers never send one message twice.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from fortresa.notifications.config import email_config
from fortresa.notifications.dkim import MissingKey, sign_message, signing_keys
from fortresa.notifications.models import MessageLog, PendingMessage

MAX_BACKOFF = dt.timedelta(hours=6)


class _RawMime:
    """What Django's mail backends ask ``EmailMessage.message()`` for: the signed bytes,
    untouched (re-serialising would break the DKIM signature)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, linesep: str = "\n", **_kwargs: Any) -> bytes:
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, **_kwargs: Any) -> str:
        return self.raw.decode("utf-8", "replace")

    def get_all(self, name: str, failobj: Any = None) -> Any:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        return parsed.get_all(name, failobj)


class SignedEmail(EmailMessage):
    """A finished, signed message; ``subject``, ``to`` and ``body`` (the plain-text part)
    are read back from it for the backends and the test outbox."""

    def __init__(self, raw: bytes, *, envelope_from: str) -> None:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        super().__init__(
            subject=str(parsed["Subject"] or ""),
            body=text.get_content() if text is not None else "",
            from_email=envelope_from,
            to=[
                address.addr_spec
                for header in parsed.get_all("To", [])
                for address in header.addresses
            ],
        )
        self.html = html.get_content() if html is not None else ""
        self.raw = raw
        self.parsed = parsed

    def message(self, *, policy: Any = None) -> Any:  # noqa: ARG002 - the raw bytes are final
        return _RawMime(self.raw)

    def recipients(self) -> list[str]:
        return list(self.to)


def _permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def backoff(attempts: int) -> dt.timedelta:
    """60 s, 2 min, 4 min, ... never more than six hours."""
    seconds = email_config().retry_base_seconds * 2 ** max(attempts - 1, 0)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


def _finish(pending: PendingMessage, status: str, error: str = "") -> None:
    log = pending.log
    log.status = status
    log.last_error = error[:300]
    if status == MessageLog.Status.SENT:
        log.sent_at = timezone.now()
    log.save(update_fields=["status", "last_error", "sent_at", "attempts"])
    pending.delete()


def deliver(log_id: int) -> str:
    """Try to send one queued message now; returns its status afterwards."""
    config = email_config()
    with transaction.atomic():
        pending = (
            PendingMessage.objects.select_for_update(skip_locked=True)
            .select_related("log")
            .filter(log_id=log_id)
            .first()
        )
        if pending is None:
            status = MessageLog.objects.filter(pk=log_id).values_list("status", flat=True).first()
            return str(status or "")
        log = pending.log
        log.attempts += 1
        try:
            raw = sign_message(bytes(pending.mime), domain=config.domain, keys=signing_keys(config))
            get_connection(fail_silently=False).send_messages(
                [SignedEmail(raw, envelope_from=pending.envelope_from)]
            )
        except (OSError, smtplib.SMTPException, MissingKey) as error:
            detail = f"{type(error).__name__}: {error}"
            if _permanent(error) or log.attempts >= config.max_attempts:
                _finish(pending, MessageLog.Status.FAILED, detail)
                return MessageLog.Status.FAILED
            log.last_error = detail[:300]
            log.save(update_fields=["attempts", "last_error"])
            pending.next_attempt_at = timezone.now() + backoff(log.attempts)
            pending.save(update_fields=["next_attempt_at"])
            return MessageLog.Status.QUEUED
        _finish(pending, MessageLog.Status.SENT)
        return MessageLog.Status.SENT


def due_message_ids(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    moment = now or timezone.now()
    return list(
        PendingMessage.objects.filter(next_attempt_at__lte=moment)
        .order_by("next_attempt_at")
        .values_list("log_id", flat=True)[:limit]
    )

"""Bounces and complaints, from the relay's webhook or from the bounce mailbox.

A hard bounce or a complaint suppresses the address: nothing more is sent to it until
its owner confirms it again (``confirm_address``). Each notification is handled once,
deduplicated by its event id. The mailbox also receives the ``mailto:`` one-click
unsubscribe requests of ``List-Unsubscribe``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from email.message import EmailMessage
from email.utils import parseaddr

from django.db import IntegrityError, transaction
from django.utils import timezone

from fortresa.core.audit import record_event
from fortresa.notifications.addresses import InvalidRecipient, normalise_address
from fortresa.notifications.models import FeedbackEvent, MessageLog, Suppression
from fortresa.notifications.tokens import InvalidToken, read_preference_token

BOUNCE = "bounce"
COMPLAINT = "complaint"


def record_feedback(
    *, event_id: str, kind: str, address: str, permanent: bool = True, message_id: str = ""
) -> bool:
    """Handle one bounce or complaint; False when this event id was already handled."""
    if kind not in (BOUNCE, COMPLAINT):
        raise ValueError(f"unknown feedback kind {kind!r}")
    address = normalise_address(address)
    try:
        with transaction.atomic():
            FeedbackEvent.objects.create(
                event_id=event_id[:200], kind=kind, address=address, received_at=timezone.now()
            )
            if kind == BOUNCE and not permanent:
                return True
            reason = (
                Suppression.Reason.COMPLAINT
                if kind == COMPLAINT
                else Suppression.Reason.HARD_BOUNCE
            )
            Suppression.objects.update_or_create(
                address=address,
                defaults={"reason": reason, "created_at": timezone.now(), "detail": event_id[:300]},
            )
            if message_id:
                status = (
                    MessageLog.Status.COMPLAINED if kind == COMPLAINT else MessageLog.Status.BOUNCED
                )
                MessageLog.objects.filter(message_id=message_id).update(status=status)
            record_event(
                action="email.address_suppressed",
                target=f"feedback:{event_id[:100]}",
                details={"reason": reason},
            )
    except IntegrityError:
        return False
    return True


def confirm_address(*, address: str) -> bool:
    """The owner confirmed the address again: mail to it resumes."""
    deleted, _ = Suppression.objects.filter(address=address).delete()
    if deleted:
        record_event(action="email.address_confirmed", target="email-address")
    return bool(deleted)


def _parts(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    return [
        part
        for part in message.walk()
        if isinstance(part, EmailMessage) and part.get_content_type() == content_type
    ]


def _field_blocks(part: EmailMessage) -> list[dict[str, str]]:
    """The header blocks of a ``message/delivery-status`` part, lower-cased names."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else [part]
    return [
        {str(k).lower(): str(v) for k, v in block.items()}
        for block in blocks
        if not isinstance(block, str)
    ]


def _originals(message: EmailMessage) -> list[EmailMessage]:
    """The returned original message (or its headers) inside a report."""
    found: list[EmailMessage] = []
    for content_type in ("message/rfc822", "text/rfc822-headers"):
        for part in _parts(message, content_type):
            payload = part.get_payload()
            if isinstance(payload, list):
                found += [item for item in payload if isinstance(item, EmailMessage)]
            else:
                parsed = email.message_from_string(str(payload), policy=email.policy.default)
                if isinstance(parsed, EmailMessage):
                    found.append(parsed)
    return found


def _original_header(message: EmailMessage, name: str) -> str:
    for original in _originals(message):
        if original.get(name):
            return str(original[name]).strip()
    return ""


def process_inbound(raw: bytes) -> str:
    """Handle one message delivered to the bounce/unsubscribe mailbox; returns what it was:
    ``bounce``, ``complaint``, ``unsubscribe`` or ``ignored``."""
    from fortresa.notifications.services import opt_out

    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # noqa: S101 - policy.default builds these
    inbound_id = str(message.get("Message-ID") or hashlib.sha256(raw).hexdigest())
    report_type = str(message.get_param("report-type", "") or "").lower()
    try:
        if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
            handled = False
            for part in _parts(message, "message/delivery-status"):
                for block in _field_blocks(part):
                    if block.get("action", "").strip().lower() != "failed":
                        continue
                    recipient = block.get("final-recipient", "").split(";")[-1].strip()
                    permanent = block.get("status", "").strip().startswith("5")
                    handled |= record_feedback(
                        event_id=f"{inbound_id}:{recipient}",
                        kind=BOUNCE,
                        address=recipient,
                        permanent=permanent,
                        message_id=_original_header(message, "Message-ID"),
                    )
            return BOUNCE if handled else "ignored"
        if message.get_content_type() == "multipart/report" and report_type == "feedback-report":
            recipient = parseaddr(_original_header(message, "To"))[1]
            record_feedback(
                event_id=inbound_id,
                kind=COMPLAINT,
                address=recipient,
                message_id=_original_header(message, "Message-ID"),
            )
            return COMPLAINT
    except InvalidRecipient:
        return "ignored"
    subject = str(message.get("Subject") or "").strip()
    if subject.lower().startswith("unsubscribe "):
        try:
            token = read_preference_token(subject.split(" ", 1)[1].strip())
        except InvalidToken:
            return "ignored"
        opt_out(address=token.address, category=token.category or "all", club_id=token.club_id)
        return "unsubscribe"
    return "ignored"

"""Gateway notifications (webhooks, IPN): untrusted triggers to re-fetch a payment.

Order of checks: the signature (fail closed), then the event id (each is handled once),
then the payment it names (ours, this club's, this provider's), then the state asked of
the gateway. Suspicious cases are audited and raised as alerts.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q

from fortresa.clubs.models import Club
from fortresa.core.audit import record_event
from fortresa.payments.alerts import report_suspicious
from fortresa.payments.http import GatewayUnavailable
from fortresa.payments.models import GatewayNotification, Payment
from fortresa.payments.providers.base import GatewayRefused, NotificationRejected
from fortresa.payments.services.gateways import GatewayNotConfigured, club_provider
from fortresa.payments.services.settlement import apply_gateway_state, payment_ref


class Outcome(enum.StrEnum):
    PROCESSED = "processed"
    IGNORED = "ignored"
    REPLAY = "replay"
    REJECTED = "rejected"
    UNKNOWN_REFERENCE = "unknown_reference"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"


# What the gateway is told: 2xx stops its retries; 5xx asks it to try again later.
HTTP_STATUS = {
    Outcome.PROCESSED: 200,
    Outcome.IGNORED: 200,
    Outcome.REPLAY: 200,
    Outcome.REJECTED: 400,
    Outcome.UNKNOWN_REFERENCE: 404,
    Outcome.GATEWAY_UNAVAILABLE: 503,
}


@dataclass(frozen=True)
class NotificationResult:
    outcome: Outcome
    payment: Payment | None = None

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.outcome]


def handle_notification(
    *,
    provider_id: str,
    club: Club,
    body: bytes,
    headers: Mapping[str, str],
    params: Mapping[str, str],
    ip_address: str | None = None,
) -> NotificationResult:
    """Verify, deduplicate and act on one notification for ``club``'s gateway."""
    try:
        gateway, provider = club_provider(club)
    except GatewayNotConfigured:
        gateway = None
    if gateway is None or gateway.provider != provider_id:
        report_suspicious(
            code="not_configured", provider=provider_id, club_id=club.pk, ip_address=ip_address
        )
        return NotificationResult(Outcome.REJECTED)
    try:
        notification = provider.verify_notification(body=body, headers=headers, params=params)
    except NotificationRejected as rejected:
        report_suspicious(
            code=rejected.code, provider=provider_id, club_id=club.pk, ip_address=ip_address
        )
        return NotificationResult(Outcome.REJECTED)
    except (GatewayUnavailable, GatewayRefused) as exc:
        # PayPal verifies through its API: no answer means no verdict; it will retry.
        record_event(
            action="payment.gateway_unavailable",
            club_id=club.pk,
            ip_address=ip_address,
            details={"source": "notification", "provider": provider_id, "error": str(exc)[:200]},
        )
        return NotificationResult(Outcome.GATEWAY_UNAVAILABLE)
    if not notification.reference and not notification.external_reference:
        _remember(provider_id, notification.event_id, None, Outcome.IGNORED)
        return NotificationResult(Outcome.IGNORED)
    match = Q()
    if notification.external_reference:
        match |= Q(external_reference=notification.external_reference)
    if notification.reference:
        match |= Q(reference__in=_uuid_or_nothing(notification.reference))
    payment = Payment.objects.filter(match, club=club, provider=provider_id).first()
    target = notification.reference or notification.external_reference
    if payment is None:
        report_suspicious(
            code="unknown_reference",
            provider=provider_id,
            club_id=club.pk,
            ip_address=ip_address,
            target=target[:100],
            details={"event_id": notification.event_id[:100]},
        )
        return NotificationResult(Outcome.UNKNOWN_REFERENCE)
    if notification.amount is not None and notification.amount != payment.amount:
        report_suspicious(
            code="amount_mismatch",
            provider=provider_id,
            club_id=club.pk,
            ip_address=ip_address,
            target=f"payment:{payment.reference}",
            details={"notified": str(notification.amount), "expected": str(payment.amount)},
        )
    if notification.currency and notification.currency.upper() != payment.currency:
        report_suspicious(
            code="currency_mismatch",
            provider=provider_id,
            club_id=club.pk,
            ip_address=ip_address,
            target=f"payment:{payment.reference}",
            details={"notified": notification.currency[:3], "expected": payment.currency},
        )
    try:
        with transaction.atomic():
            if not _remember(provider_id, notification.event_id, payment, Outcome.PROCESSED):
                raise _Replay
            if notification.capture_reference.strip("/") and not payment.capture_reference:
                payment.capture_reference = notification.capture_reference
            state = provider.settle(payment_ref(payment))
            updated = apply_gateway_state(payment=payment, state=state, source="notification")
    except _Replay:
        report_suspicious(
            code="replay",
            provider=provider_id,
            club_id=club.pk,
            ip_address=ip_address,
            target=f"payment:{payment.reference}",
            details={"event_id": notification.event_id[:100]},
        )
        return NotificationResult(Outcome.REPLAY, payment)
    except (GatewayUnavailable, GatewayRefused) as exc:
        # Rolled back with the event id, so the gateway's retry is processed afresh.
        record_event(
            action="payment.gateway_unavailable",
            club_id=club.pk,
            target=f"payment:{payment.reference}",
            ip_address=ip_address,
            details={"source": "notification", "error": str(exc)[:200]},
        )
        return NotificationResult(Outcome.GATEWAY_UNAVAILABLE, payment)
    return NotificationResult(Outcome.PROCESSED, updated)


class _Replay(Exception):
    pass


def _uuid_or_nothing(value: str) -> list[str]:
    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


def _remember(provider_id: str, event_id: str, payment: Payment | None, outcome: str) -> bool:
    """Store the event id; False if it was already there (a replay)."""
    try:
        with transaction.atomic():
            GatewayNotification.objects.create(
                provider=provider_id, event_id=event_id[:200], payment=payment, outcome=outcome
            )
    except IntegrityError:
        return False
    return True

"""Reconciliation: payments left open are asked of their gateway and settled.

A crash between the gateway's capture and our write, a lost notification, a member who
closed the tab after paying: each leaves a payment pending although the gateway knows
better. Also releases bookings whose payment hold ran out, after one last look at their
payments, and refunds a payment that arrived for a slot someone else took meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.bookings.services import release_unpaid_booking
from fortresa.bookings.services.holds import expired_holds
from fortresa.core.audit import record_event
from fortresa.payments.http import GatewayUnavailable
from fortresa.payments.models import ClubGateway, Payment
from fortresa.payments.providers.base import GatewayRefused
from fortresa.payments.services.gateways import provider_for
from fortresa.payments.services.settlement import (
    apply_gateway_state,
    payment_ref,
    refundable,
)
from fortresa.payments.states import OPEN_STATES

logger = logging.getLogger(__name__)
# A payment younger than this is probably still being paid: leave the member alone.
MIN_AGE = dt.timedelta(minutes=2)


@dataclass
class ReconcileReport:
    checked: int = 0
    settled: int = 0
    unreachable: int = 0


def settle_payment(*, payment: Payment, source: str = "reconcile") -> Payment:
    """Ask the gateway about ``payment`` and record its answer (raises if unreachable)."""
    gateway = ClubGateway.objects.get(club_id=payment.club_id)
    provider = provider_for(gateway)
    state = provider.settle(payment_ref(payment))
    return apply_gateway_state(payment=payment, state=state, source=source)


def reconcile_pending_payments(*, now: dt.datetime | None = None) -> ReconcileReport:
    """Settle every open payment started at the gateway more than ``MIN_AGE`` ago."""
    now = now or timezone.now()
    report = ReconcileReport()
    open_payments = Payment.objects.filter(
        state__in=OPEN_STATES, updated_at__lte=now - MIN_AGE
    ).exclude(external_reference="")
    for payment in open_payments.order_by("updated_at")[:500]:
        report.checked += 1
        try:
            settled = settle_payment(payment=payment)
        except (GatewayUnavailable, GatewayRefused, ClubGateway.DoesNotExist) as exc:
            report.unreachable += 1
            logger.warning("reconcile: payment %s not settled: %s", payment.reference, exc)
            continue
        if settled.state not in OPEN_STATES:
            report.settled += 1
    return report


def release_expired_bookings(*, now: dt.datetime | None = None) -> int:
    """Release held bookings whose time is up, unless their payment went through."""
    now = now or timezone.now()
    released = 0
    for booking in expired_holds(now).select_related("club")[:500]:
        for payment in Payment.objects.filter(booking=booking, state__in=OPEN_STATES).exclude(
            external_reference=""
        ):
            try:
                settle_payment(payment=payment, source="hold_expiry")
            except (GatewayUnavailable, GatewayRefused, ClubGateway.DoesNotExist):
                logger.warning("hold expiry: payment %s not reachable", payment.reference)
        if release_unpaid_booking(booking=booking):
            released += 1
    return released


def refund_payment(
    *, actor: Any, payment: Payment, amount: Decimal, ip_address: str | None = None
) -> Payment:
    """Refund ``amount`` of ``payment`` through its gateway (staff, or a lost booking)."""
    if amount <= 0 or amount > refundable(payment):
        raise ValueError("amount must be positive and at most what is left to refund")
    gateway = ClubGateway.objects.get(club_id=payment.club_id)
    provider = provider_for(gateway)
    state = provider.refund(payment_ref(payment), amount)
    with transaction.atomic():
        record_event(
            action="payment.refund_requested",
            actor=actor,
            club_id=payment.club_id,
            target=f"payment:{payment.reference}",
            ip_address=ip_address,
            details={"amount": str(amount), "gateway_status": str(state.status)},
        )
        return apply_gateway_state(payment=payment, state=state, source="refund", actor=actor)


def refund_lost_booking_payment(*, payment: Payment) -> Payment:
    """Refund in full a payment whose booking could not be kept (or was paid twice)."""
    left = refundable(payment)
    if left <= 0:
        return payment
    return refund_payment(actor=None, payment=payment, amount=left)

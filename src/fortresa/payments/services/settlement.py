"""Recording what the gateway says about a payment, and what follows from it.

``apply_gateway_state`` is the only way a payment becomes paid, and it is only ever
given a state re-fetched from the gateway: never a notification's or a return URL's
own claims. Amount, currency and reference must match what we asked for.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.services import confirm_booking_payment
from fortresa.clubs.models import Membership
from fortresa.core.audit import record_event
from fortresa.payments.alerts import report_suspicious
from fortresa.payments.models import MembershipFeePayment, Payment, TicketEntry
from fortresa.payments.providers.base import GatewayState, GatewayStatus, PaymentRef
from fortresa.payments.selectors import fee_paid_for, membership_fee_for
from fortresa.payments.states import OPEN_STATES, SETTLED_PAID, check_transition

logger = logging.getLogger(__name__)
State = Payment.State


def payment_ref(payment: Payment) -> PaymentRef:
    return PaymentRef(
        reference=str(payment.reference),
        external_reference=payment.external_reference,
        capture_reference=payment.capture_reference,
        amount=payment.amount,
        currency=payment.currency,
    )


def transition(
    payment: Payment,
    target: str,
    *,
    actor: Any = None,
    source: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> Payment:
    """Move ``payment`` (row-locked by the caller) to ``target`` and audit it."""
    previous = payment.state
    check_transition(previous, target)
    payment.state = target
    if reason:
        payment.failure_reason = reason[:200]
    if target == State.PAID and payment.paid_at is None:
        payment.paid_at = timezone.now()
    payment.save()
    record_event(
        action=f"payment.{target}",
        actor=actor,
        club_id=payment.club_id,
        target=f"payment:{payment.reference}",
        details={
            "from": previous,
            "source": source,
            "provider": payment.provider,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "reason": reason,
            **(details or {}),
        },
    )
    logger.info("payment %s %s -> %s (%s)", payment.reference, previous, target, source)
    return payment


def _mismatch(payment: Payment, state: GatewayState) -> str:
    if state.reference is not None and state.reference != str(payment.reference):
        return "reference_mismatch"
    if state.amount is not None and state.amount != payment.amount:
        return "amount_mismatch"
    if state.currency is not None and state.currency.upper() != payment.currency:
        return "currency_mismatch"
    return ""


def apply_gateway_state(
    *, payment: Payment, state: GatewayState, source: str, actor: Any = None
) -> Payment:
    """Record the gateway's re-fetched ``state`` of ``payment``; returns it updated."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if state.capture_reference and not locked.capture_reference:
            locked.capture_reference = state.capture_reference
            locked.save(update_fields=["capture_reference", "updated_at"])
        if state.status is GatewayStatus.PENDING:
            return locked
        problem = _mismatch(locked, state)
        if problem:
            report_suspicious(
                code=problem,
                provider=locked.provider,
                club_id=locked.club_id,
                target=f"payment:{locked.reference}",
                details={
                    "expected": f"{locked.amount} {locked.currency}",
                    "gateway": f"{state.amount} {state.currency}",
                    "source": source,
                },
            )
            if locked.state in OPEN_STATES:
                transition(locked, State.FAILED, source=source, reason=problem)
            return locked
        if state.status is GatewayStatus.PAID:
            if locked.state not in (State.PAID, State.PARTIALLY_REFUNDED, State.REFUNDED):
                transition(locked, State.PAID, actor=actor, source=source)
                _fulfil(locked, source=source)
        elif state.status in (GatewayStatus.FAILED, GatewayStatus.CANCELLED):
            if locked.state in OPEN_STATES:
                transition(
                    locked, str(state.status), actor=actor, source=source, reason=state.detail
                )
        else:
            _record_refund(locked, state, source=source, actor=actor)
    return locked


def _record_refund(payment: Payment, state: GatewayState, *, source: str, actor: Any) -> None:
    if payment.state in OPEN_STATES:
        return
    refunded = state.refunded_amount
    if state.status is GatewayStatus.REFUNDED and not refunded:
        refunded = payment.amount
    if refunded <= payment.refunded_amount:
        return
    target = State.REFUNDED if refunded >= payment.amount else State.PARTIALLY_REFUNDED
    payment.refunded_amount = min(refunded, payment.amount)
    transition(
        payment,
        target,
        actor=actor,
        source=source,
        details={"refunded_amount": str(payment.refunded_amount)},
    )
    if target == State.REFUNDED and payment.purpose == Payment.Purpose.TICKETS:
        _withdraw_tickets(payment, actor=actor)


def _withdraw_tickets(payment: Payment, *, actor: Any) -> None:
    """A pack refunded in full takes back its tickets still unspent (those spent stay
    spent: their bookings were played or are kept)."""
    credited = TicketEntry.objects.filter(payment=payment).values_list("change", flat=True).first()
    if not credited:
        return
    # The member's row serialises this with their spending (see pay_booking_with_tickets).
    Membership.objects.select_for_update().filter(
        user_id=payment.payer_id, club_id=payment.club_id
    ).first()
    balance = (
        TicketEntry.objects.filter(user_id=payment.payer_id, club_id=payment.club_id).aggregate(
            total=Sum("change")
        )["total"]
        or 0
    )
    taken = min(int(credited), int(balance))
    if taken <= 0:
        return
    TicketEntry.objects.create(club_id=payment.club_id, user_id=payment.payer_id, change=-taken)
    record_event(
        action="payment.tickets_withdrawn",
        actor=actor,
        club_id=payment.club_id,
        target=f"payment:{payment.reference}",
        details={"tickets": taken, "credited": int(credited)},
    )


def _fulfil(payment: Payment, *, source: str) -> None:
    """Deliver what was paid for; a booking whose slot was lost meanwhile is refunded."""
    if payment.purpose == Payment.Purpose.BOOKING and payment.booking is not None:
        paid_twice = (
            Payment.objects.filter(booking=payment.booking, state__in=SETTLED_PAID)
            .exclude(pk=payment.pk)
            .exists()
        )
        try:
            if paid_twice:
                raise BookingRuleError("paid_twice", "this booking was already paid")
            confirm_booking_payment(booking=payment.booking)
        except BookingRuleError as error:
            record_event(
                action="payment.booking_lost",
                club_id=payment.club_id,
                target=f"payment:{payment.reference}",
                details={"booking": payment.booking_id, "code": error.code},
            )
            payment_id = payment.pk
            transaction.on_commit(lambda: _refund_later(payment_id), robust=True)
    elif payment.purpose == Payment.Purpose.TICKETS and payment.ticket_pack is not None:
        TicketEntry.objects.get_or_create(
            payment=payment,
            defaults={
                "club_id": payment.club_id,
                "user_id": payment.payer_id,
                "change": payment.ticket_pack.tickets,
            },
        )
    elif payment.purpose == Payment.Purpose.MEMBERSHIP and payment.membership is not None:
        _record_membership_fee(payment, payment.membership)


def _record_membership_fee(payment: Payment, paid_for: Membership) -> None:
    """Record the fee as paid for its period; a second fee for one period is refunded."""
    # Locked after the payment (the caller's lock), so two payments of one membership
    # settling at once are recorded one after the other.
    membership = Membership.objects.select_for_update().get(pk=paid_for.pk)
    fee = membership_fee_for(payment.club, membership.membership_type_id)
    period = fee.period_label if fee is not None else ""
    earlier = fee_paid_for(membership, period)
    if earlier is not None and earlier.payment_id != payment.pk:
        record_event(
            action="payment.fee_paid_twice",
            club_id=payment.club_id,
            target=f"payment:{payment.reference}",
            details={
                "membership": membership.pk,
                "period": period,
                "kept": str(earlier.payment.reference),
            },
        )
        payment_id = payment.pk
        transaction.on_commit(lambda: _refund_later(payment_id), robust=True)
        return
    MembershipFeePayment.objects.get_or_create(
        payment=payment, defaults={"membership": membership, "period_label": period}
    )


def _refund_later(payment_id: int) -> None:
    from fortresa.payments.tasks import refund_lost_booking

    refund_lost_booking.delay(payment_id)


def refundable(payment: Payment) -> Decimal:
    if payment.state not in (State.PAID, State.PARTIALLY_REFUNDED):
        return Decimal("0")
    return payment.amount - payment.refunded_amount

"""Starting a payment, sending the member to the gateway, and their return from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Membership
from fortresa.core.audit import record_event
from fortresa.payments.http import GatewayUnavailable
from fortresa.payments.models import Payment, TicketPack
from fortresa.payments.providers.base import (
    Checkout,
    CheckoutRequest,
    GatewayRefused,
)
from fortresa.payments.selectors import fee_paid_for, membership_fee_for
from fortresa.payments.services.gateways import club_provider
from fortresa.payments.services.settlement import apply_gateway_state, payment_ref, transition
from fortresa.payments.states import OPEN_STATES

State = Payment.State
# Builds the absolute URLs the gateway sends the member and its notifications back to.
UrlsFor = Callable[[Payment], tuple[str, str, str]]


class PaymentError(Exception):
    """A payment cannot start or continue; ``message`` is for the member."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _create(
    *,
    actor: User,
    club: Club,
    purpose: str,
    amount: Decimal,
    booking: Booking | None = None,
    ticket_pack: TicketPack | None = None,
    membership: Membership | None = None,
) -> Payment:
    gateway, _provider = club_provider(club)
    payment = Payment.objects.create(
        club=club,
        payer=actor,
        purpose=purpose,
        booking=booking,
        ticket_pack=ticket_pack,
        membership=membership,
        provider=gateway.provider,
        amount=amount,
        currency=club.currency.upper(),
    )
    record_event(
        action="payment.created",
        actor=actor,
        club_id=club.pk,
        target=f"payment:{payment.reference}",
        details={"purpose": purpose, "amount": str(amount), "provider": gateway.provider},
    )
    return payment


def create_booking_payment(*, actor: User, booking: Booking) -> Payment:
    """A payment of ``booking``'s fees by its booker, while it is held."""
    if booking.booked_by_id != actor.pk:
        raise PaymentError("not_booker", _("Only the person who booked can pay for it."))
    if not booking.awaiting_payment or booking.amount_due <= 0:
        raise PaymentError("not_due", _("Nothing is due on this booking."))
    return _create(
        actor=actor,
        club=booking.club,
        purpose=Payment.Purpose.BOOKING,
        amount=booking.amount_due,
        booking=booking,
    )


def create_ticket_payment(*, actor: User, pack: TicketPack) -> Payment:
    if not pack.active:
        raise PaymentError("not_on_sale", _("This ticket pack is no longer on sale."))
    if not Membership.objects.filter(user=actor, club_id=pack.club_id).exists():
        raise PaymentError("not_member", _("Only members of this club can buy its tickets."))
    return _create(
        actor=actor,
        club=pack.club,
        purpose=Payment.Purpose.TICKETS,
        amount=pack.price,
        ticket_pack=pack,
    )


def create_membership_payment(*, actor: User, membership: Membership) -> Payment:
    """A payment of the club's fee for ``membership``'s type, by the member themself.

    Refused when the club sets no fee for the type, and when the fee of the current
    period (the fee's label) is already paid. Two payments started side by side can
    still both be paid at the gateway: the settlement refunds the second.
    """
    if membership.user_id != actor.pk:
        raise PaymentError("not_member", _("Only the member can pay their membership fee."))
    with transaction.atomic():
        # The membership row serialises two tabs asking at the same moment.
        locked = Membership.objects.select_for_update().select_related("club").get(pk=membership.pk)
        fee = membership_fee_for(locked.club, locked.membership_type_id)
        if fee is None or fee.amount <= 0:
            raise PaymentError(
                "no_fee", _("Your club sets no membership fee for your type of membership.")
            )
        if fee_paid_for(locked, fee.period_label) is not None:
            raise PaymentError(
                "already_paid",
                _("Your membership fee for %(period)s is already paid.")
                % {"period": fee.period_label or _("this period")},
            )
        return _create(
            actor=actor,
            club=locked.club,
            purpose=Payment.Purpose.MEMBERSHIP,
            amount=fee.amount,
            membership=locked,
        )


def _description(payment: Payment) -> str:
    if payment.purpose == Payment.Purpose.BOOKING:
        return _("Court and guest fees, %(club)s") % {"club": payment.club.name}
    if payment.purpose == Payment.Purpose.TICKETS and payment.ticket_pack is not None:
        return f"{payment.ticket_pack.name}, {payment.club.name}"
    return _("Membership fee, %(club)s") % {"club": payment.club.name}


def begin_checkout(*, actor: User, payment: Payment, urls: UrlsFor) -> Checkout:
    """Register ``payment`` with the club's gateway; the member is then sent there.

    A gateway that does not answer leaves the payment failed (nothing was charged) and
    raises PaymentError; the member may try again while the booking is held.
    """
    if payment.state != State.CREATED:
        raise PaymentError("not_startable", _("This payment has already been started."))
    _gateway, provider = club_provider(payment.club)
    return_url, cancel_url, notify_url = urls(payment)
    request = CheckoutRequest(
        reference=str(payment.reference),
        amount=payment.amount,
        currency=payment.currency,
        description=_description(payment),
        payer_email=actor.email,
        return_url=return_url,
        cancel_url=cancel_url,
        notify_url=notify_url,
    )
    try:
        checkout = provider.start_checkout(request)
    except (GatewayUnavailable, GatewayRefused) as exc:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            transition(
                locked,
                State.FAILED,
                actor=actor,
                source="checkout",
                reason="gateway_unavailable"
                if isinstance(exc, GatewayUnavailable)
                else "gateway_refused",
                details={"error": str(exc)[:200]},
            )
        raise PaymentError(
            "gateway_unavailable",
            _("The payment service did not answer. Nothing was charged; please try again."),
        ) from exc
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.external_reference = checkout.external_reference
        locked.save(update_fields=["external_reference", "updated_at"])
        transition(locked, State.PENDING, actor=actor, source="checkout")
    return checkout


def handle_return(
    *, actor: Any, payment: Payment, params: Mapping[str, str], cancelled: bool = False
) -> Payment:
    """The member is back from the gateway. Whatever the URL says, the state is asked
    of the gateway; a timeout leaves the payment pending for reconciliation.

    A payment failed by a declined card whose checkout stays open at the gateway
    (Stripe) is asked again when the member comes back by the success address: they
    went back to the gateway's page and paid after all.
    """
    paid_after_decline = (
        not cancelled
        and payment.state == State.FAILED
        and payment.failure_reason.startswith("declined")
    )
    if payment.state not in OPEN_STATES and not paid_after_decline:
        return payment
    _gateway, provider = club_provider(payment.club)
    try:
        state = provider.handle_return(payment_ref(payment), params)
    except (GatewayUnavailable, GatewayRefused) as exc:
        record_event(
            action="payment.gateway_unavailable",
            actor=actor,
            club_id=payment.club_id,
            target=f"payment:{payment.reference}",
            details={"source": "return", "error": str(exc)[:200]},
        )
        raise PaymentError(
            "gateway_unavailable",
            _(
                "We could not confirm your payment with the payment service yet. "
                "We will keep checking; you do not need to pay again."
            ),
        ) from exc
    updated = apply_gateway_state(payment=payment, state=state, source="return", actor=actor)
    if cancelled and updated.state in OPEN_STATES:
        # The member turned back on the gateway's page; should they pay after all, the
        # gateway's confirmation still wins (cancelled -> paid).
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.state in OPEN_STATES:
                transition(locked, State.CANCELLED, actor=actor, source="return", reason="member")
            updated = locked
    return updated

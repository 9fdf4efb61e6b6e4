"""Gateways that do not answer: nothing is marked paid, the member is told, retries work."""

from __future__ import annotations

import pytest
from django.test import Client

from fortresa.clubs.models import Club
from fortresa.core.models import AuditEvent
from fortresa.payments.models import ClubGateway, GatewayNotification, Payment
from fortresa.payments.services import PaymentError, begin_checkout, create_booking_payment
from fortresa.payments.simulators.server import RunningSimulators
from tests.payments.conftest import (
    deliver,
    held_booking,
    member_at_gateway,
    start_booking_payment,
    urls_for,
)

# Paybox's checkout is a signed form: nothing is asked of the gateway before the member
# goes there, so only PayPal and Stripe can time out at this point.
SERVER_CHECKOUT = pytest.mark.parametrize("provider", ["paypal", "stripe"])


@SERVER_CHECKOUT
def test_gateway_timeout_at_checkout_fails_the_payment_and_says_so(
    pay_club: Club,
    payer,
    blackhole: str,  # type: ignore[no-untyped-def]
) -> None:
    ClubGateway.objects.filter(club=pay_club).update(base_url=blackhole)
    booking = held_booking(pay_club, payer)
    payment = create_booking_payment(actor=payer, booking=booking)

    with pytest.raises(PaymentError, match="Nothing was charged"):
        begin_checkout(actor=payer, payment=payment, urls=urls_for)

    payment.refresh_from_db()
    assert (payment.state, payment.failure_reason) == (
        Payment.State.FAILED,
        "gateway_unavailable",
    )


@SERVER_CHECKOUT
def test_pay_page_answers_503_when_the_gateway_times_out(
    pay_club: Club,
    payer,
    payer_client: Client,
    blackhole: str,  # type: ignore[no-untyped-def]
) -> None:
    ClubGateway.objects.filter(club=pay_club).update(base_url=blackhole)
    booking = held_booking(pay_club, payer)

    response = payer_client.post(f"/payments/booking/{booking.pk}/", {"method": "gateway"})

    assert response.status_code == 503
    assert "Nothing was charged" in response.content.decode()


def test_return_during_a_gateway_timeout_leaves_the_payment_pending(
    pay_club: Club,
    payer,
    payer_client: Client,
    blackhole: str,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    location = member_at_gateway(started.checkout)
    ClubGateway.objects.filter(club=pay_club).update(base_url=blackhole)

    page = payer_client.get(location.replace("http://testserver", "")).content.decode()

    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.PENDING
    assert "do not need to pay again" in page
    assert AuditEvent.objects.filter(action="payment.gateway_unavailable").exists()


def test_notification_during_a_gateway_timeout_is_retried_afresh(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,
    blackhole: str,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    payer_client.get(member_at_gateway(started.checkout).replace("http://testserver", ""))
    item = simulators.store.take_outbox()[-1]
    Payment.objects.filter(pk=started.payment.pk).update(state=Payment.State.PENDING)
    real_url = ClubGateway.objects.get(club=pay_club).base_url
    ClubGateway.objects.filter(club=pay_club).update(base_url=blackhole)

    during_timeout = deliver(payer_client, item)
    ClubGateway.objects.filter(club=pay_club).update(base_url=real_url)
    retried = deliver(payer_client, item)

    assert (during_timeout, retried) == (503, 200)
    assert GatewayNotification.objects.filter(payment=started.payment).count() == 1

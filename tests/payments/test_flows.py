"""A guest fee paid through each gateway's simulator, in every order things can arrive."""

from __future__ import annotations

from django.test import Client

from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club
from fortresa.core.models import AuditEvent
from fortresa.payments.models import GatewayNotification, Payment
from fortresa.payments.simulators.server import RunningSimulators
from tests.payments.conftest import (
    GUEST_FEE,
    deliver_all,
    member_at_gateway,
    return_to_site,
    start_booking_payment,
)


def test_booking_with_a_guest_is_held_for_the_guest_fee(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)

    assert started.booking.amount_due == GUEST_FEE
    assert started.booking.awaiting_payment
    assert started.payment.state == Payment.State.PENDING
    assert started.payment.external_reference


def test_return_before_notification_marks_paid_once(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    location = member_at_gateway(started.checkout)

    page = return_to_site(payer_client, location)
    statuses = deliver_all(payer_client, simulators)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert "Payment received" in page
    assert started.payment.state == Payment.State.PAID
    assert not started.booking.awaiting_payment
    assert statuses
    assert all(status == 200 for status in statuses)
    paid_events = AuditEvent.objects.filter(
        action="payment.paid", target=f"payment:{started.payment.reference}"
    )
    assert paid_events.count() == 1


def test_notification_before_return_marks_paid(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    location = member_at_gateway(started.checkout)

    statuses = deliver_all(payer_client, simulators)
    started.payment.refresh_from_db()
    state_after_notification = started.payment.state
    page = return_to_site(payer_client, location)

    assert all(status == 200 for status in statuses)
    # PayPal's approval notification comes before the capture, which the return does.
    expected = Payment.State.PENDING if started.payment.provider == "paypal" else Payment.State.PAID
    assert state_after_notification in (expected, Payment.State.PAID)
    assert "Payment received" in page
    started.booking.refresh_from_db()
    assert started.booking.status == Booking.Status.ACTIVE
    assert not started.booking.awaiting_payment


def test_each_notification_is_remembered_by_event_id(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    return_to_site(payer_client, member_at_gateway(started.checkout))

    deliver_all(payer_client, simulators)

    assert GatewayNotification.objects.filter(payment=started.payment).exists()


def test_member_who_cancels_at_the_gateway_is_charged_nothing(
    pay_club: Club,
    payer,
    payer_client: Client,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    location = member_at_gateway(started.checkout, decision="cancel")

    page = return_to_site(payer_client, location)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert started.payment.state == Payment.State.CANCELLED
    assert "nothing was charged" in page
    assert started.booking.awaiting_payment  # still held: the member may try again


# What each gateway says of a declined payment, kept as the failure reason.
DECLINE_REASONS = {
    "paypal": "COMPLETED/DECLINED",
    "paybox": "Refusé",
    "stripe": "declined: generic_decline",
}


def test_declined_payment_fails_and_keeps_the_booking_unpaid(
    payer_client: Client,
    payer,
    pay_club: Club,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    location = member_at_gateway(started.checkout, decision="decline")

    page = return_to_site(payer_client, location)
    statuses = deliver_all(payer_client, simulators)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert started.payment.state == Payment.State.FAILED
    assert started.payment.failure_reason == DECLINE_REASONS[started.payment.provider]
    assert "The payment did not go through: nothing was charged." in page
    assert all(status == 200 for status in statuses)
    assert started.booking.awaiting_payment
    assert not AuditEvent.objects.filter(
        action="payment.paid", target=f"payment:{started.payment.reference}"
    ).exists()

"""Reconciliation, hold expiry, late payments and refunds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.services import create_booking
from fortresa.clubs.models import Club, Court
from fortresa.payments.models import Payment
from fortresa.payments.services import (
    reconcile_pending_payments,
    refund_payment,
    release_expired_bookings,
    settle_payment,
)
from fortresa.payments.simulators.server import RunningSimulators
from tests.factories import make_membership
from tests.payments.conftest import member_at_gateway, start_booking_payment, tomorrow_at

LATER = dt.timedelta(minutes=15)


def test_reconciliation_settles_a_payment_whose_member_never_came_back(
    pay_club: Club,
    payer,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    member_at_gateway(started.checkout)
    simulators.store.take_outbox()  # the notification is lost

    report = reconcile_pending_payments(now=timezone.now() + LATER)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert (report.checked, report.settled) == (1, 1)
    assert started.payment.state == Payment.State.PAID
    assert not started.booking.awaiting_payment


def test_reconciliation_leaves_an_unpaid_payment_pending(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)

    report = reconcile_pending_payments(now=timezone.now() + LATER)

    started.payment.refresh_from_db()
    assert (report.checked, report.settled) == (1, 0)
    assert started.payment.state == Payment.State.PENDING


def test_expired_hold_is_released_and_the_slot_is_free_again(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)
    Booking.objects.filter(pk=started.booking.pk).update(
        payment_due_by=timezone.now() - dt.timedelta(seconds=1)
    )

    released = release_expired_bookings()
    other = create_booking(
        actor=make_membership(pay_club).user,
        club=pay_club,
        court=started.booking.court,
        starts_at=tomorrow_at(pay_club),
        duration_minutes=60,
    )

    started.booking.refresh_from_db()
    assert released == 1
    assert started.booking.status == Booking.Status.CANCELLED
    assert other.status == Booking.Status.ACTIVE


def test_expired_hold_in_the_way_is_released_by_the_next_booking(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)
    Booking.objects.filter(pk=started.booking.pk).update(
        payment_due_by=timezone.now() - dt.timedelta(seconds=1)
    )

    other = create_booking(
        actor=make_membership(pay_club).user,
        club=pay_club,
        court=started.booking.court,
        starts_at=tomorrow_at(pay_club),
        duration_minutes=60,
    )

    started.booking.refresh_from_db()
    assert started.booking.status == Booking.Status.CANCELLED
    assert other.pk != started.booking.pk


def test_held_booking_blocks_the_slot_while_held(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)

    with pytest.raises(BookingRuleError, match="already taken"):
        create_booking(
            actor=make_membership(pay_club).user,
            club=pay_club,
            court=started.booking.court,
            starts_at=tomorrow_at(pay_club),
            duration_minutes=60,
        )


def test_payment_after_release_takes_back_a_free_slot(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)
    member_at_gateway(started.checkout)
    Booking.objects.filter(pk=started.booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )

    settle_payment(payment=started.payment)

    started.booking.refresh_from_db()
    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.PAID
    assert started.booking.status == Booking.Status.ACTIVE
    assert started.booking.payment_due_by is None


def test_payment_after_the_slot_was_taken_is_refunded(
    pay_club: Club,
    payer,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    member_at_gateway(started.checkout)
    Booking.objects.filter(pk=started.booking.pk).update(
        status=Booking.Status.CANCELLED, cancelled_at=timezone.now()
    )
    create_booking(
        actor=make_membership(pay_club).user,
        club=pay_club,
        court=Court.objects.get(pk=started.booking.court_id),
        starts_at=tomorrow_at(pay_club),
        duration_minutes=60,
    )

    with django_capture_on_commit_callbacks(execute=True):
        settle_payment(payment=started.payment)

    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.REFUNDED
    assert started.payment.refunded_amount == started.payment.amount


def test_partial_then_full_refund(pay_club: Club, payer, payer_client) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)
    payer_client.get(member_at_gateway(started.checkout).replace("http://testserver", ""))
    started.payment.refresh_from_db()

    partly = refund_payment(actor=None, payment=started.payment, amount=Decimal("2.50"))
    fully = refund_payment(actor=None, payment=partly, amount=partly.amount - Decimal("2.50"))

    assert (partly.state, partly.refunded_amount) == (
        Payment.State.PARTIALLY_REFUNDED,
        Decimal("2.50"),
    )
    assert (fully.state, fully.refunded_amount) == (Payment.State.REFUNDED, fully.amount)

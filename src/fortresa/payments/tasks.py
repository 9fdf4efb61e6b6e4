"""Periodic and deferred payment jobs; each is idempotent."""

from __future__ import annotations

from fortresa.celery import app
from fortresa.payments.models import Payment
from fortresa.payments.services import (
    reconcile_pending_payments,
    refund_lost_booking_payment,
    release_expired_bookings,
)


@app.task
def reconcile_payments() -> dict[str, int]:
    report = reconcile_pending_payments()
    return {"checked": report.checked, "settled": report.settled, "unreachable": report.unreachable}


@app.task
def release_expired_holds() -> int:
    return release_expired_bookings()


@app.task
def refund_lost_booking(payment_id: int) -> str:
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "missing"
    return refund_lost_booking_payment(payment=payment).state

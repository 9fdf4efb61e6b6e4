"""Bookings held for payment: what they cost, confirming them, releasing them unpaid.

A booking that costs something (court fee per hour, guest fees) is created ``active``
with ``payment_due_by`` set, so the PostgreSQL exclusion constraint keeps the slot for
it while the member pays. Payment clears ``payment_due_by``; a hold still set after that
time is released (cancelled), either by the periodic job or by the next booking that
wants the slot. This module never moves money: the payments app calls it once the
gateway has confirmed (or not) a payment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.rules import EffectiveRules
from fortresa.bookings.selectors.schedule import overlapping
from fortresa.core.audit import record_event

HOLD_MINUTES = 10
OVERLAP_CONSTRAINT = "booking_no_overlap"


def hold_minutes() -> int:
    """How long an unpaid booking keeps its slot (``FORTRESA_PAYMENT_HOLD_MINUTES``)."""
    return int(getattr(settings, "FORTRESA_PAYMENT_HOLD_MINUTES", HOLD_MINUTES))


def amount_due_for(rules: EffectiveRules, *, minutes: int, guest_count: int) -> Decimal:
    """Court fee for ``minutes`` of court time plus one guest fee per guest."""
    court = rules.court_fee * Decimal(minutes) / Decimal(60)
    total = court + rules.guest_fee * guest_count
    return total.quantize(Decimal("0.01"))


def expired_holds(now: dt.datetime) -> QuerySet[Booking]:
    return Booking.objects.filter(
        status=Booking.Status.ACTIVE, payment_due_by__isnull=False, payment_due_by__lte=now
    )


def release_expired_holds_overlapping(
    *, court_id: int, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime
) -> int:
    """Release the expired holds in the way of a new booking; returns how many."""
    released = 0
    blocking = overlapping(expired_holds(now).filter(court_id=court_id), starts_at, ends_at)
    for booking in blocking.select_for_update():
        _release(booking, now)
        released += 1
    return released


def _release(booking: Booking, now: dt.datetime) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = None
    booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    record_event(
        action="booking.hold_released",
        club_id=booking.club_id,
        target=f"booking:{booking.pk}",
        details={"court": booking.court_id, "amount_due": str(booking.amount_due)},
    )


def release_unpaid_booking(*, actor: object = None, booking: Booking) -> bool:
    """Release ``booking`` if it is still held and its time is up; True if released.

    ``actor`` is None for the periodic job. A booking paid meanwhile is left alone.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Booking.objects.select_for_update().filter(pk=booking.pk).first()
        if locked is None or not locked.awaiting_payment:
            return False
        assert locked.payment_due_by is not None  # noqa: S101 - awaiting_payment says so
        if locked.payment_due_by > now:
            return False
        _release(locked, now)
    return True


def _reactivate(booking: Booking) -> None:
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                booking.save(update_fields=["status", "cancelled_at", "payment_due_by"])
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT:
                raise BookingRuleError(
                    "already_taken", _("This court is already taken at this time.")
                ) from exc
            raise
        return
    taken = Booking.objects.filter(
        court_id=booking.court_id,
        status=Booking.Status.ACTIVE,
        starts_at__lt=booking.ends_at,
        ends_at__gt=booking.starts_at,
    ).exclude(pk=booking.pk)
    if taken.exists():
        raise BookingRuleError("already_taken", _("This court is already taken at this time."))
    booking.save(update_fields=["status", "cancelled_at", "payment_due_by"])


def confirm_booking_payment(*, actor: object = None, booking: Booking) -> Booking:
    """Mark ``booking`` paid: the hold ends and the booking is an ordinary active one.

    A hold released before the gateway confirmed (a late notification) is taken back if
    the slot is still free, released by the hold expiry only (never by a person); else
    raises BookingRuleError ``already_taken`` / ``not_payable`` and the caller refunds.
    """
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == Booking.Status.ACTIVE and locked.payment_due_by is None:
            return locked  # already confirmed: a repeated confirmation changes nothing
        if locked.awaiting_payment:
            locked.payment_due_by = None
            locked.save(update_fields=["payment_due_by"])
        elif (
            locked.status == Booking.Status.CANCELLED
            and locked.payment_due_by is not None
            and locked.cancelled_by_id is None
            and locked.starts_at > timezone.now()
        ):
            locked.status = Booking.Status.ACTIVE
            locked.cancelled_at = None
            locked.payment_due_by = None
            _reactivate(locked)
        else:
            raise BookingRuleError(
                "not_payable", _("This booking was cancelled and can no longer be paid.")
            )
        record_event(
            action="booking.paid",
            club_id=locked.club_id,
            target=f"booking:{locked.pk}",
            details={"amount_due": str(locked.amount_due)},
        )
    return locked

"""The bookings app's worker tasks: emails about bookings, and folding schedule changes.

Each email task re-reads the booking once the booking change is committed, so a retry
or a late run tells what is true now: a booking cancelled before its "booked" email went
out sends none.
"""

from __future__ import annotations

from django.db import connections
from django.urls import reverse
from django.utils import formats, translation

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.bookings.slots import time_label
from fortresa.celery import app
from fortresa.notifications.rendering import absolute
from fortresa.notifications.services import send_email


def _when(booking: Booking) -> str:
    local = booking.starts_at.astimezone(booking.club.tzinfo)
    return f"{formats.date_format(local.date(), 'DATE_FORMAT')} {time_label(local)}"


def _load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.filter(pk=booking_id)
        .select_related("club", "court", "booked_by", "cancelled_by")
        .prefetch_related("partners")
        .first()
    )


def _send(recipient: User, kind: str, booking: Booking, **extra: object) -> None:
    # The date is formatted in the recipient's language; the pipeline renders the rest.
    with translation.override(recipient.preferred_language):
        when = _when(booking)
    send_email(
        to=recipient.email,
        kind=kind,
        user=recipient,
        club=booking.club,
        context={
            "booker": str(booking.booked_by),
            "court": booking.court.name,
            "club": booking.club.name,
            "when": when,
            "bookings_url": absolute(reverse("bookings:mine")),
            **extra,
        },
    )


@app.task
def notify_partners_booked(booking_id: int) -> int:
    """Tell each partner of an active booking about it, in their language; returns the count."""
    booking = _load(booking_id)
    if booking is None or booking.status != Booking.Status.ACTIVE:
        return 0
    sent = 0
    for partner in booking.partners.all():
        _send(partner, "booking_partner", booking)
        sent += 1
    return sent


@app.task
def notify_booking_cancelled(booking_id: int) -> int:
    """Tell the people of a cancelled booking, except whoever cancelled it."""
    booking = _load(booking_id)
    if booking is None or booking.status != Booking.Status.CANCELLED:
        return 0
    people = [booking.booked_by, *booking.partners.all()]
    recipients = [person for person in people if person.pk != booking.cancelled_by_id]
    by_club = booking.cancelled_by_id not in {person.pk for person in people}
    for person in recipients:
        _send(person, "booking_cancelled", booking, by_club=by_club)
    return len(recipients)


@app.task
def fold_schedule_changes() -> int:
    """Fold the clubs' counted schedule changes into their totals (versions unchanged),
    so reading a version stays one short index lookup. Returns the changes folded."""
    connection = connections[Booking.objects.db]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:  # one statement: its own transaction
        cursor.execute("SELECT fortresa_fold_schedule_changes()")
        row = cursor.fetchone()
    return int(row[0]) if row else 0

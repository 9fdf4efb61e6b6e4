"""Emails about bookings, sent by the workers once the booking change is committed.

Each task re-reads the booking, so a retry or a late run tells what is true now: a
booking cancelled before its "booked" email went out sends none.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import formats, translation
from django.utils.translation import gettext as _

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.bookings.slots import time_label
from fortresa.celery import app


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


def _send(recipient: User, subject: str, body: str) -> None:
    send_mail(subject, body, None, [recipient.email])


@app.task
def notify_partners_booked(booking_id: int) -> int:
    """Tell each partner of an active booking about it, in their language; returns the count."""
    booking = _load(booking_id)
    if booking is None or booking.status != Booking.Status.ACTIVE:
        return 0
    sent = 0
    for partner in booking.partners.all():
        with translation.override(partner.preferred_language):
            values = {
                "booker": str(booking.booked_by),
                "court": booking.court.name,
                "club": booking.club.name,
                "when": _when(booking),
            }
            subject = _("Court booked: %(court)s, %(when)s") % values
            body = (
                _(
                    "%(booker)s booked %(court)s at %(club)s for %(when)s and chose you as "
                    "a partner.\n\nSee your bookings in Fortresa under “My bookings”."
                )
                % values
            )
            _send(partner, subject, body)
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
        with translation.override(person.preferred_language):
            values = {
                "booker": str(booking.booked_by),
                "court": booking.court.name,
                "club": booking.club.name,
                "when": _when(booking),
            }
            subject = _("Booking cancelled: %(court)s, %(when)s") % values
            if by_club:
                body = (
                    _(
                        "The booking of %(court)s at %(club)s for %(when)s was cancelled by "
                        "the club."
                    )
                    % values
                )
            else:
                body = (
                    _("%(booker)s cancelled the booking of %(court)s at %(club)s for %(when)s.")
                    % values
                )
            _send(person, subject, body)
    return len(recipients)

"""Who may cancel a booking, and when: one decision shared by the service and the pages.

The booker may cancel their own booking until the cancellation deadline of their rules.
Partners may not cancel: the booking belongs to the booker, who is asked instead. Club
staff and admins may cancel any booking of their club until it is over, at any time
before then; that is audited as ``booking.cancelled_by_staff``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking


class CancellationBy(StrEnum):
    BOOKER = "booker"
    STAFF = "staff"


def cancellation_by(
    *,
    actor_id: int,
    booking: Booking,
    actor_is_staff: bool,
    deadline_hours: int,
    now: dt.datetime,
) -> CancellationBy:
    """How ``actor_id`` may cancel ``booking`` now; raises BookingRuleError if they may not."""
    if booking.status == Booking.Status.CANCELLED:
        raise BookingRuleError("already_cancelled", _("This booking is already cancelled."))
    if booking.ends_at <= now:
        raise BookingRuleError(
            "booking_over", _("This booking is over and can no longer be cancelled.")
        )
    is_booker = booking.booked_by_id == actor_id
    if is_booker and now <= booking.starts_at - dt.timedelta(hours=deadline_hours):
        return CancellationBy.BOOKER
    if actor_is_staff:
        return CancellationBy.STAFF
    if is_booker:
        raise BookingRuleError(
            "cancellation_deadline",
            ngettext(
                "Cancellation deadline: bookings can be cancelled up to %(hours)d hour "
                "before they start.",
                "Cancellation deadline: bookings can be cancelled up to %(hours)d hours "
                "before they start.",
                deadline_hours,
            )
            % {"hours": deadline_hours},
        )
    raise BookingRuleError(
        "not_booker", _("Only the person who made this booking, or club staff, can cancel it.")
    )

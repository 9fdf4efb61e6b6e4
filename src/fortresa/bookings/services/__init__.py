"""State changes of the bookings app: booking, cancelling, rules and calendar feeds."""

from fortresa.bookings.services.booking import cancel_booking, create_booking
from fortresa.bookings.services.calendar import renew_calendar_feed, set_calendar_feed_enabled
from fortresa.bookings.services.holds import confirm_booking_payment, release_unpaid_booking
from fortresa.bookings.services.rules import update_booking_rules

__all__ = [
    "cancel_booking",
    "confirm_booking_payment",
    "release_unpaid_booking",
    "create_booking",
    "renew_calendar_feed",
    "set_calendar_feed_enabled",
    "update_booking_rules",
]

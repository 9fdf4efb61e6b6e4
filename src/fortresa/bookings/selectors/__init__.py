"""Reads of bookings and availability; views reach booking data only through these."""

from fortresa.bookings.selectors.bookings import (
    BookingLine,
    access_booking,
    booking_line,
    bookings_involving,
    club_role,
    feed_bookings,
    memberships_by_club,
    my_bookings,
    rules_rows,
)
from fortresa.bookings.selectors.grids import (
    Cell,
    DayGrid,
    SlotState,
    Viewer,
    WeekGrid,
    day_grid,
    viewer_for,
    week_grid,
)

__all__ = [
    "rules_rows",
    "BookingLine",
    "booking_line",
    "memberships_by_club",
    "Cell",
    "DayGrid",
    "SlotState",
    "Viewer",
    "WeekGrid",
    "access_booking",
    "bookings_involving",
    "club_role",
    "day_grid",
    "feed_bookings",
    "my_bookings",
    "viewer_for",
    "week_grid",
]

"""Everything a grid needs about a club over a period, loaded in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from fortresa.bookings.models import Booking
from fortresa.bookings.slots import Slot, day_slots
from fortresa.clubs.models import Closure, Club, Court, OpeningHours
from fortresa.clubs.selectors import courts_of


@dataclass
class ClubSchedule:
    """A club's active courts, their opening hours, closures and active bookings.

    Loading costs five queries whatever the number of courts or bookings: courts,
    opening hours, closures, bookings with their bookers, and the bookings' partners.
    """

    club: Club
    courts: list[Court]
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]]
    closures: list[Closure]
    bookings: dict[int, list[Booking]] = field(default_factory=dict)

    def slots(self, court: Court, day: dt.date, slot_minutes: int) -> list[Slot]:
        periods = self.hours.get(court.pk, {}).get(day.weekday(), [])
        return day_slots(day, periods, self.club.tzinfo, slot_minutes)

    def closure_for(self, court: Court, start: dt.datetime, end: dt.datetime) -> Closure | None:
        for closure in self.closures:
            applies = closure.court_id is None or closure.court_id == court.pk
            if applies and closure.starts_at < end and closure.ends_at > start:
                return closure
        return None

    def booking_for(self, court: Court, start: dt.datetime, end: dt.datetime) -> Booking | None:
        for booking in self.bookings.get(court.pk, []):
            if booking.starts_at < end and booking.ends_at > start:
                return booking
        return None


def load_schedule(club: Club, start: dt.datetime, end: dt.datetime) -> ClubSchedule:
    """The schedule of ``club`` between the UTC instants ``start`` and ``end``."""
    courts = list(courts_of(club))
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in OpeningHours.objects.filter(court__club=club, court__is_active=True).order_by(
        "opens_at"
    ):
        hours[row.court_id][row.weekday].append((row.opens_at, row.closes_at))
    closures = list(Closure.objects.filter(club=club, starts_at__lt=end, ends_at__gt=start))
    bookings: dict[int, list[Booking]] = defaultdict(list)
    active = (
        Booking.objects.filter(
            club=club, status=Booking.Status.ACTIVE, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("booked_by")
        .prefetch_related("partners")
        .order_by("starts_at")
    )
    for booking in active:
        bookings[booking.court_id].append(booking)
    return ClubSchedule(club=club, courts=courts, hours=hours, closures=closures, bookings=bookings)

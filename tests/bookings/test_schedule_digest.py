"""The schedule digest changes with every committed change to the rows a grid reads,
and only with those: what a cached week table relies on to be never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from fortresa.bookings.models import Booking
from fortresa.bookings.selectors.schedule import schedule_digest
from fortresa.bookings.slots import day_bounds
from fortresa.clubs.models import Closure, OpeningHours
from tests.bookings.conftest import add_booking, court_of, local_day, local_start
from tests.factories import make_club

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the schedule digest needs PostgreSQL"
    ),
]


def _digest(club) -> str:
    start, _ = day_bounds(local_day(club), club.tzinfo)
    _, end = day_bounds(local_day(club, days=7), club.tzinfo)
    found = schedule_digest(club, start, end)
    assert found is not None
    return found.digest


def test_digest_changes_when_a_booking_is_inserted_moved_updated_and_deleted(club, member):
    ten = local_start(club, hour=10)
    first = _digest(club)

    booking = add_booking(club, member, ten)
    inserted = _digest(club)
    Booking.objects.filter(pk=booking.pk).update(court=court_of(club, 1))
    other_court = _digest(club)
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=ten + dt.timedelta(hours=2), ends_at=ten + dt.timedelta(hours=3)
    )
    later = _digest(club)
    Booking.objects.filter(pk=booking.pk).update(ends_at=ten + dt.timedelta(hours=4))
    longer = _digest(club)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    cancelled = _digest(club)
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACTIVE)
    reactivated = _digest(club)
    booking.delete()

    states = [first, inserted, other_court, later, longer]
    assert len(set(states)) == len(states)
    # The digest is of what the rows say: the same schedule again, the same digest.
    assert cancelled == first
    assert reactivated == longer
    assert _digest(club) == first


def test_digest_changes_with_courts_hours_and_closures(club):
    seen = {_digest(club)}
    court = court_of(club)

    court.is_active = False
    court.save()
    seen.add(_digest(club))
    OpeningHours.objects.filter(court=court, weekday=0).update(closes_at=dt.time(20))
    seen.add(_digest(club))
    start = local_start(club, hour=10)
    closure = Closure.objects.create(
        club=club,
        court=None,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reason="Tournament",
    )
    seen.add(_digest(club))
    Closure.objects.filter(pk=closure.pk).update(court=court)
    seen.add(_digest(club))

    assert len(seen) == 5


def test_booking_and_closure_of_the_same_id_court_and_times_digest_differently(club, member):
    start = local_start(club, hour=10)
    booking = add_booking(club, member, start)
    with_booking = _digest(club)
    booking_id = booking.pk
    booking.delete()

    Closure.objects.create(
        pk=booking_id,
        club=club,
        court=court_of(club),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reason="Repairs",
    )

    assert _digest(club) != with_booking


def test_changes_the_week_does_not_read_leave_its_digest_alone(club, member):
    before = _digest(club)
    other = make_club()

    add_booking(club, member, local_start(club, days=10, hour=10))
    add_booking(other, member, local_start(other, hour=10))
    Booking.objects.create(
        club=club,
        court=court_of(club),
        booked_by=member,
        status=Booking.Status.CANCELLED,
        starts_at=local_start(club, hour=12),
        ends_at=local_start(club, hour=13),
    )

    assert _digest(club) == before

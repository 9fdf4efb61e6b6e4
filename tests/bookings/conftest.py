"""Helpers for booking tests: bookable local times and ready-made bookings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Court
from tests.factories import make_membership


def local_day(club: Club, days: int = 1) -> dt.date:
    return timezone.now().astimezone(club.tzinfo).date() + dt.timedelta(days=days)


def local_start(club: Club, days: int = 1, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware local datetime ``days`` after today in the club's time zone."""
    return dt.datetime.combine(local_day(club, days), dt.time(hour, minute), tzinfo=club.tzinfo)


def next_transition(month: int) -> dt.date:
    """The next last Sunday of ``month`` (3 or 10): when Europe switches clocks."""
    today = dt.date.today()  # noqa: DTZ011 - only the year and an ordering matter
    for year in (today.year, today.year + 1):
        last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        sunday = last - dt.timedelta(days=(last.weekday() - 6) % 7)
        if sunday > today + dt.timedelta(days=1):
            return sunday
    raise AssertionError("unreachable")


def court_of(club: Club, index: int = 0) -> Court:
    return list(Court.objects.filter(club=club).order_by("position"))[index]


def add_booking(
    club: Club,
    user: User,
    start: dt.datetime,
    minutes: int = 60,
    court: Court | None = None,
    partners: list[User] | None = None,
) -> Booking:
    """A booking row written directly, for tests about reading and cancelling."""
    booking = Booking.objects.create(
        club=club,
        court=court or court_of(club),
        booked_by=user,
        starts_at=start.astimezone(dt.UTC),
        ends_at=(start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
    )
    booking.partners.set(partners or [])
    return booking


@pytest.fixture
def partner(club: Club) -> User:
    return make_membership(club).user

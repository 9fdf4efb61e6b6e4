"""Booking across daylight-saving changes: durations are real time, the repeated hour counts."""

from __future__ import annotations

import datetime as dt

import pytest

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.services import create_booking
from tests.bookings.conftest import court_of, next_transition
from tests.factories import make_club, make_membership

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
NIGHT_RULES = {"days_ahead": 365, "partners_required": 0, "max_active_bookings": 10}


@pytest.fixture
def night_club():
    return make_club(open_from=dt.time(0), open_until=dt.time(6), rules=NIGHT_RULES)


def _book(club, start, minutes=60):
    return create_booking(
        actor=make_membership(club).user,
        club=club,
        court=court_of(club),
        starts_at=start,
        duration_minutes=minutes,
        partners=[],
        guest_names=[],
        note="",
    )


def test_two_hour_booking_over_fall_back_ends_at_the_second_two_oclock(night_club):
    day = next_transition(10)
    start = dt.datetime.combine(day, dt.time(1), tzinfo=night_club.tzinfo)

    booking = _book(night_club, start, minutes=120)

    assert booking.ends_at - booking.starts_at == dt.timedelta(hours=2)
    local_end = booking.ends_at.astimezone(night_club.tzinfo)
    assert (local_end.hour, local_end.fold) == (2, 1)


def test_first_repeated_hour_is_taken_by_a_booking_across_it(night_club):
    day = next_transition(10)
    _book(night_club, dt.datetime.combine(day, dt.time(1), tzinfo=night_club.tzinfo), 120)
    first_two = dt.datetime.combine(day, dt.time(2), tzinfo=night_club.tzinfo)

    with pytest.raises(BookingRuleError) as caught:
        _book(night_club, first_two)

    assert caught.value.code == "already_taken"


def test_second_repeated_hour_is_a_separate_bookable_slot(night_club):
    day = next_transition(10)
    _book(night_club, dt.datetime.combine(day, dt.time(1), tzinfo=night_club.tzinfo), 60)
    _book(night_club, dt.datetime.combine(day, dt.time(2), tzinfo=night_club.tzinfo), 60)
    second_two = dt.datetime.combine(day, dt.time(2, fold=1), tzinfo=night_club.tzinfo)

    booking = _book(night_club, second_two)

    assert booking.starts_at.astimezone(night_club.tzinfo).tzname() == "CET"


def test_two_hour_booking_over_spring_forward_ends_at_four(night_club):
    day = next_transition(3)
    start = dt.datetime.combine(day, dt.time(1), tzinfo=night_club.tzinfo)

    booking = _book(night_club, start, minutes=120)

    assert booking.ends_at.astimezone(night_club.tzinfo).time() == dt.time(4)


def test_slot_after_the_skipped_hour_follows_directly(night_club):
    day = next_transition(3)
    _book(night_club, dt.datetime.combine(day, dt.time(1), tzinfo=night_club.tzinfo))

    booking = _book(night_club, dt.datetime.combine(day, dt.time(3), tzinfo=night_club.tzinfo))

    assert booking.starts_at == dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC), (
        "03:00 CEST is 01:00 UTC"
    )

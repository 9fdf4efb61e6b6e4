"""Every booking rule, with the message that names it (also run on SQLite)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.services import create_booking
from fortresa.clubs.models import Closure, Court
from tests.bookings.conftest import add_booking, court_of, local_start
from tests.factories import make_club, make_membership, make_user

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def book(club, actor, start, *, minutes=60, partners=None, court=None, guests=(), note=""):
    return create_booking(
        actor=actor,
        club=club,
        court=court or court_of(club),
        starts_at=start,
        duration_minutes=minutes,
        partners=partners if partners is not None else [make_membership(club).user],
        guest_names=guests,
        note=note,
    )


def broken_rule(**kwargs) -> BookingRuleError:
    with pytest.raises(BookingRuleError) as caught:
        book(**kwargs)
    return caught.value


def test_valid_booking_is_stored_in_utc_with_its_partner(club, member, partner):
    start = local_start(club, hour=10)

    booking = book(club, member, start, minutes=120, partners=[partner])

    booking.refresh_from_db()
    assert booking.starts_at == start.astimezone(dt.UTC)
    assert booking.ends_at - booking.starts_at == dt.timedelta(minutes=120)
    assert list(booking.partners.all()) == [partner]
    assert booking.status == Booking.Status.ACTIVE


def test_start_in_the_past_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=timezone.now() - dt.timedelta(hours=1))

    assert error.code == "in_past"
    assert "future" in error.message


def test_start_beyond_the_booking_window_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club, days=8))

    assert error.code == "too_far_ahead"
    assert "Booking window" in error.message
    assert "7 days" in error.message


def test_start_on_the_last_day_of_the_window_is_accepted(club, member):
    assert book(club, member, local_start(club, days=7)).pk


def test_start_off_the_slot_grid_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club, hour=10, minute=30))

    assert error.code == "not_on_slot_grid"
    assert "Slot grid" in error.message


def test_start_before_opening_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club, hour=6))

    assert error.code == "outside_opening_hours"
    assert "Opening hours" in error.message


def test_booking_running_past_closing_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club, hour=21), minutes=120)

    assert error.code == "outside_opening_hours"
    assert "closes" in error.message


def test_court_closure_is_refused_with_its_reason(club, member):
    start = local_start(club)
    Closure.objects.create(
        club=club,
        court=court_of(club),
        starts_at=start - dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=1),
        reason="Resurfacing",
    )

    error = broken_rule(club=club, actor=member, start=start)

    assert error.code == "closed"
    assert "Resurfacing" in error.message


def test_whole_club_closure_applies_to_every_court(club, member):
    start = local_start(club)
    Closure.objects.create(
        club=club, starts_at=start, ends_at=start + dt.timedelta(hours=3), reason="Tournament"
    )

    error = broken_rule(club=club, actor=member, start=start, court=court_of(club, 1))

    assert error.code == "closed"


def test_closure_of_another_court_does_not_apply(club, member):
    start = local_start(club)
    Closure.objects.create(
        club=club,
        court=court_of(club, 1),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reason="Nets",
    )

    assert book(club, member, start).pk


def test_duration_below_minimum_is_refused(member):
    club = make_club(rules={"slot_minutes": 30, "min_duration_minutes": 60})
    make_membership(club, member)

    error = broken_rule(club=club, actor=member, start=local_start(club), minutes=30)

    assert error.code == "duration_too_short"
    assert "Minimum duration" in error.message


def test_duration_above_maximum_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club), minutes=180)

    assert error.code == "duration_too_long"
    assert "Maximum duration" in error.message


def test_duration_off_the_slot_length_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club), minutes=75)

    assert error.code == "duration_not_multiple"
    assert "Slot length" in error.message


def test_too_few_partners_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club), partners=[])

    assert error.code == "partners_required"
    assert "exactly 1 partner" in error.message


def test_too_many_partners_is_refused(club, member):
    others = [make_membership(club).user, make_membership(club).user]

    error = broken_rule(club=club, actor=member, start=local_start(club), partners=others)

    assert error.code == "partners_required"


def test_choosing_yourself_as_partner_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club), partners=[member])

    assert error.code == "partner_is_self"


def test_same_partner_twice_is_refused(member):
    club = make_club(rules={"partners_required": 2})
    make_membership(club, member)
    other = make_membership(club).user

    error = broken_rule(club=club, actor=member, start=local_start(club), partners=[other, other])

    assert error.code == "partner_duplicate"


def test_partner_from_outside_the_club_is_refused(club, member):
    stranger = make_user()

    error = broken_rule(club=club, actor=member, start=local_start(club), partners=[stranger])

    assert error.code == "partner_not_member"
    assert "member of this club" in error.message


def test_guests_are_refused_where_not_allowed(member):
    club = make_club(rules={"guests_allowed": False})
    make_membership(club, member)

    error = broken_rule(club=club, actor=member, start=local_start(club), guests=["Ann"])

    assert error.code == "guests_not_allowed"
    assert "Guests" in error.message


def test_guests_are_stored_where_allowed(club, member):
    booking = book(club, member, local_start(club), guests=["  Ann  ", ""])

    assert booking.guest_names == ["Ann"]


def test_active_bookings_limit_is_enforced(member):
    club = make_club(rules={"max_active_bookings": 2})
    make_membership(club, member)
    book(club, member, local_start(club, hour=9))
    book(club, member, local_start(club, hour=11))

    error = broken_rule(club=club, actor=member, start=local_start(club, hour=13))

    assert error.code == "max_active_bookings"
    assert "at most 2 upcoming bookings" in error.message


def test_cancelled_bookings_do_not_count_towards_the_limit(member):
    club = make_club(rules={"max_active_bookings": 1})
    make_membership(club, member)
    first = book(club, member, local_start(club, hour=9))
    Booking.objects.filter(pk=first.pk).update(status=Booking.Status.CANCELLED)

    assert book(club, member, local_start(club, hour=11)).pk


def test_court_of_another_club_is_refused(club, member):
    other_court = court_of(make_club())

    error = broken_rule(club=club, actor=member, start=local_start(club), court=other_court)

    assert error.code == "court_unavailable"


def test_inactive_court_is_refused(club, member):
    court = court_of(club)
    Court.objects.filter(pk=court.pk).update(is_active=False)
    court.refresh_from_db()

    error = broken_rule(club=club, actor=member, start=local_start(club), court=court)

    assert error.code == "court_unavailable"


def test_non_member_cannot_book(club):
    error = broken_rule(club=club, actor=make_user(), start=local_start(club))

    assert error.code == "not_member"


def test_overlapping_booking_is_refused_as_already_taken(club, member):
    start = local_start(club)
    add_booking(club, make_membership(club).user, start - dt.timedelta(minutes=60), minutes=120)

    error = broken_rule(club=club, actor=member, start=start)

    assert error.code == "already_taken"
    assert "already taken" in error.message
    assert Booking.objects.filter(booked_by=member).count() == 0


def test_adjacent_booking_is_not_an_overlap(club, member):
    start = local_start(club)
    add_booking(club, make_membership(club).user, start - dt.timedelta(minutes=60))

    assert book(club, member, start).pk


def test_cancelled_booking_frees_its_slot(club, member):
    start = local_start(club)
    old = add_booking(club, make_membership(club).user, start)
    Booking.objects.filter(pk=old.pk).update(status=Booking.Status.CANCELLED)

    assert book(club, member, start).pk


def test_overlong_note_is_refused(club, member):
    error = broken_rule(club=club, actor=member, start=local_start(club), note="x" * 201)

    assert error.code == "note_too_long"

"""A club's schedule version grows with every committed change to the rows its week
table is built from, and only with those, whoever writes them: what a cached week table
relies on to be never stale. Folding the counted changes leaves every version as it is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from fortresa.bookings.models import Booking, BookingRules, MembershipTypeRules
from fortresa.bookings.selectors.schedule import schedule_version
from fortresa.bookings.tasks import fold_schedule_changes
from fortresa.clubs.models import Closure, Court, MembershipType, OpeningHours
from tests.bookings.conftest import add_booking, court_of, local_start
from tests.factories import make_club, make_membership

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="schedule versions need PostgreSQL"
    ),
]


def _version(club) -> str:
    found = schedule_version(club)
    assert found is not None
    return found


def _count(version: str) -> int:
    # "<server start>:<changes>", and ":<transaction>" after this transaction's own.
    return int(version.split(":")[1])


def _changes(club) -> int:
    return _count(_version(club))


def test_every_change_to_a_booking_is_a_new_version_even_back_to_an_earlier_state(club, member):
    ten = local_start(club, hour=10)
    seen = [_version(club)]

    booking = add_booking(club, member, ten)
    seen.append(_version(club))
    Booking.objects.filter(pk=booking.pk).update(court=court_of(club, 1))
    seen.append(_version(club))
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    seen.append(_version(club))
    # The schedule as it was before the cancellation: still a version of its own, so a
    # table built in between can never be taken for this one.
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.ACTIVE)
    seen.append(_version(club))
    booking.delete()
    seen.append(_version(club))

    assert len(set(seen)) == len(seen)
    counts = [_count(version) for version in seen]
    assert counts == sorted(counts)


def test_courts_hours_closures_and_rules_each_make_a_new_version(club):
    seen = [_version(club)]
    court = court_of(club)
    junior = MembershipType.objects.create(club=club, name="Junior")
    seen.append(_version(club))  # a type alone is not read by the table: no change
    start = local_start(club, hour=10)

    Court.objects.filter(pk=court.pk).update(is_active=False)
    seen.append(_version(club))
    OpeningHours.objects.filter(court=court, weekday=0).update(closes_at=dt.time(20))
    seen.append(_version(club))
    Closure.objects.create(
        club=club, court=None, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        reason="Tournament",
    )  # fmt: skip
    seen.append(_version(club))
    BookingRules.objects.filter(club=club).update(slot_minutes=30)
    seen.append(_version(club))
    MembershipTypeRules.objects.create(membership_type=junior, slot_minutes=90)
    seen.append(_version(club))
    OpeningHours.objects.filter(court=court).delete()
    seen.append(_version(club))

    assert seen[0] == seen[1]
    assert len(set(seen[1:])) == len(seen) - 1


def test_one_statement_is_one_change_however_many_rows_it_writes(club):
    before = _changes(club)

    updated = OpeningHours.objects.filter(court__club=club).update(closes_at=dt.time(21))

    assert updated > 1
    assert _changes(club) == before + 1


def test_changes_to_another_club_leave_the_version_alone(club, member):
    before = _version(club)
    other = make_club()
    other_member = make_membership(other).user

    add_booking(other, other_member, local_start(other, hour=10))
    Court.objects.filter(club=other).update(is_active=False)
    BookingRules.objects.filter(club=other).update(slot_minutes=30)

    assert _version(club) == before


def test_a_rolled_back_change_leaves_the_version_alone(club, member):
    before = _version(club)

    def book_then_fail() -> None:
        with transaction.atomic():
            add_booking(club, member, local_start(club, hour=10))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        book_then_fail()

    assert _version(club) == before


def test_folding_the_changes_keeps_every_version(club, member):
    other = make_club()
    add_booking(club, member, local_start(club, hour=10))
    Court.objects.filter(club=other).update(is_active=False)
    before = (_version(club), _version(other))

    folded = fold_schedule_changes()
    after = (_version(club), _version(other))
    add_booking(club, member, local_start(club, hour=12))

    assert folded >= 2
    assert after == before
    assert fold_schedule_changes() >= 1
    assert _changes(club) == _count(before[0]) + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transactions_versions_are_never_anothers(club, member):
    def book_read_then_fail() -> str:
        with transaction.atomic():
            add_booking(club, member, local_start(club, hour=10))
            seen = _version(club)
            raise RuntimeError(seen)

    with pytest.raises(RuntimeError) as failed:
        book_read_then_fail()
    inside = str(failed.value)
    committed = _version(club)  # a new transaction, which changed nothing
    add_booking(club, member, local_start(club, hour=12))  # committed (autocommit)
    after = _version(club)

    # The rolled-back booking was counted inside its transaction; the committed one
    # makes the same count, yet a table cached inside the first is never found.
    assert _count(inside) == _count(after) == _count(committed) + 1
    assert inside != after
    assert len(inside.split(":")) == 3
    assert len(after.split(":")) == 2

"""Twenty members try to book the same court and slot at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.services import create_booking
from tests.bookings.conftest import court_of, local_start
from tests.factories import make_club, make_membership

ATTEMPTS = 20

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the exclusion constraint exists on PostgreSQL only",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_at_one_slot_end_with_exactly_one_booking():
    club = make_club(rules={"partners_required": 0})
    court = court_of(club)
    start = local_start(club, hour=10)
    players = [make_membership(club).user for _ in range(ATTEMPTS)]
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(player):
        try:
            barrier.wait(timeout=30)
            create_booking(
                actor=player,
                club=club,
                court=court,
                starts_at=start,
                duration_minutes=60,
                partners=[],
                guest_names=[],
                note="",
            )
            outcome = "booked"
        except BookingRuleError as error:
            outcome = error.code
        except Exception as error:  # noqa: BLE001 - any other outcome fails the test
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(player,)) for player in players]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already_taken"] * (ATTEMPTS - 1) + ["booked"]
    assert Booking.objects.filter(court=court, status=Booking.Status.ACTIVE).count() == 1

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.services import cancel_booking
from fortresa.clubs.models import Role
from fortresa.core.models import AuditEvent
from tests.bookings.conftest import add_booking, local_start
from tests.factories import make_club, make_membership

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_booker_cancels_before_the_deadline(club, member):
    booking = add_booking(club, member, local_start(club, days=2))

    cancelled = cancel_booking(actor=member, booking=booking)

    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancelled_by == member
    assert not AuditEvent.objects.filter(action="booking.cancelled_by_staff").exists()


def test_booker_cannot_cancel_after_the_deadline(club, member):
    booking = add_booking(club, member, timezone.now() + dt.timedelta(hours=1))

    with pytest.raises(BookingRuleError) as caught:
        cancel_booking(actor=member, booking=booking)

    assert caught.value.code == "cancellation_deadline"
    assert "2 hours" in caught.value.message
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACTIVE


def test_partner_cannot_cancel(club, member, partner):
    booking = add_booking(club, member, local_start(club, days=2), partners=[partner])

    with pytest.raises(BookingRuleError) as caught:
        cancel_booking(actor=partner, booking=booking)

    assert caught.value.code == "not_booker"


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_cancel_after_the_deadline_with_an_audit_event(club, member, role):
    staff = make_membership(club, role=role).user
    booking = add_booking(club, member, timezone.now() + dt.timedelta(minutes=30))

    cancel_booking(actor=staff, booking=booking, ip_address="192.0.2.7")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    event = AuditEvent.objects.get(action="booking.cancelled_by_staff")
    assert event.actor_id == staff.pk
    assert event.club_id == club.pk
    assert event.target == f"booking:{booking.pk}"


def test_coach_is_not_staff_for_cancelling(club, member):
    coach = make_membership(club, role=Role.COACH).user
    booking = add_booking(club, member, local_start(club, days=2))

    with pytest.raises(BookingRuleError):
        cancel_booking(actor=coach, booking=booking)


def test_staff_of_another_club_cannot_cancel(club, member):
    outsider = make_membership(make_club(), role=Role.ADMIN).user
    booking = add_booking(club, member, local_start(club, days=2))

    with pytest.raises(BookingRuleError) as caught:
        cancel_booking(actor=outsider, booking=booking)

    assert caught.value.code == "not_booker"


def test_cancelling_twice_is_refused(club, member):
    booking = add_booking(club, member, local_start(club, days=2))
    cancel_booking(actor=member, booking=booking)

    with pytest.raises(BookingRuleError) as caught:
        cancel_booking(actor=member, booking=booking)

    assert caught.value.code == "already_cancelled"


def test_finished_booking_cannot_be_cancelled_even_by_staff(club, member):
    staff = make_membership(club, role=Role.STAFF).user
    booking = add_booking(club, member, timezone.now() - dt.timedelta(hours=3))

    with pytest.raises(BookingRuleError) as caught:
        cancel_booking(actor=staff, booking=booking)

    assert caught.value.code == "booking_over"


def test_cancellation_emails_partners_not_the_canceller(
    club, member, partner, django_capture_on_commit_callbacks
):
    booking = add_booking(club, member, local_start(club, days=2), partners=[partner])

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(actor=member, booking=booking)

    assert [message.to for message in mail.outbox] == [[partner.email]]
    assert "cancelled" in mail.outbox[0].subject.lower()


def test_staff_cancellation_emails_the_booker_too(
    club, member, partner, django_capture_on_commit_callbacks
):
    staff = make_membership(club, role=Role.STAFF).user
    booking = add_booking(club, member, local_start(club, days=2), partners=[partner])

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(actor=staff, booking=booking)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, partner.email])
    assert "by the club" in mail.outbox[0].body

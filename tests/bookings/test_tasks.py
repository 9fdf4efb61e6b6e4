from __future__ import annotations

import pytest
from django.core import mail

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.services import create_booking
from fortresa.bookings.tasks import notify_partners_booked
from tests.bookings.conftest import add_booking, court_of, local_start
from tests.factories import make_membership, make_user

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_partner_is_emailed_once_the_booking_commits(
    club, member, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_booking(
            actor=member,
            club=club,
            court=court_of(club),
            starts_at=local_start(club, hour=10),
            duration_minutes=60,
            partners=[partner],
            guest_names=[],
            note="",
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [partner.email]
    assert "Court 1" in message.subject
    assert "10:00" in message.subject
    assert str(member) in message.body


def test_refused_booking_sends_nothing(club, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BookingRuleError):
        create_booking(
            actor=member,
            club=club,
            court=court_of(club),
            starts_at=local_start(club, days=30),
            duration_minutes=60,
            partners=[make_membership(club).user],
        )

    assert mail.outbox == []


def test_partner_email_is_in_the_partners_language(
    club, member, django_capture_on_commit_callbacks
):
    french = make_membership(club, make_user(preferred_language="fr")).user
    booking = add_booking(club, member, local_start(club), partners=[french])
    month_fr = {
        1: "janvier", 2: "février", 3: "mars", 4: "avril", 5: "mai", 6: "juin",
        7: "juillet", 8: "août", 9: "septembre", 10: "octobre", 11: "novembre", 12: "décembre",
    }[local_start(club).month]  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        notify_partners_booked(booking.pk)

    assert month_fr in mail.outbox[0].subject


def test_no_email_for_a_booking_cancelled_before_the_task_ran(club, member, partner):
    booking = add_booking(club, member, local_start(club), partners=[partner])
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    assert notify_partners_booked(booking.pk) == 0
    assert mail.outbox == []

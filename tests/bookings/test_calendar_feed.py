from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from fortresa.accounts.models import User
from fortresa.bookings.calendar_feed import feed_path, feed_token, token_is_valid
from fortresa.bookings.models import Booking
from fortresa.bookings.services import renew_calendar_feed, set_calendar_feed_enabled
from fortresa.core.models import AuditEvent
from tests.bookings.conftest import add_booking, local_start
from tests.factories import make_membership

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _events(response):
    return [c for c in Calendar.from_ical(response.content).walk() if c.name == "VEVENT"]


def test_feed_serves_the_users_bookings_as_icalendar(club, member, partner):
    own = add_booking(club, member, local_start(club, hour=10))
    add_booking(club, make_membership(club).user, local_start(club, hour=12), partners=[member])
    add_booking(club, partner, local_start(club, hour=14))

    response = Client().get(feed_path(member))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    assert len(events) == 2
    assert events[0]["uid"].startswith(f"booking-{own.pk}@")
    assert events[0].decoded("dtstart") == own.starts_at


def test_feed_leaves_out_cancelled_bookings(club, member):
    booking = add_booking(club, member, local_start(club))
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)

    response = Client().get(feed_path(member))

    assert _events(response) == []


def test_wrong_token_is_not_found(member):
    url = reverse("bookings:calendar_feed", args=[member.pk, "0" * 64])

    assert Client().get(url).status_code == 404


def test_token_of_another_user_is_not_found(member, partner):
    url = reverse("bookings:calendar_feed", args=[partner.pk, feed_token(member)])

    assert Client().get(url).status_code == 404


def test_unknown_user_is_not_found(member):
    url = reverse("bookings:calendar_feed", args=[member.pk + 1000, feed_token(member)])

    assert Client().get(url).status_code == 404


def test_renewed_feed_invalidates_the_old_url(member):
    old_url = feed_path(member)

    renew_calendar_feed(actor=member)

    assert Client().get(old_url).status_code == 404
    assert Client().get(feed_path(member)).status_code == 200
    assert AuditEvent.objects.filter(action="calendar.feed_renewed", actor_id=member.pk).exists()


def test_disabled_feed_is_not_found_until_enabled_again(member):
    url = feed_path(member)

    set_calendar_feed_enabled(actor=member, enabled=False)
    disabled = Client().get(url).status_code
    set_calendar_feed_enabled(actor=member, enabled=True)

    assert disabled == 404
    assert Client().get(url).status_code == 200
    assert AuditEvent.objects.filter(action="calendar.feed_disabled").count() == 1


def test_token_check_reads_the_stored_version(member):
    token = feed_token(member)
    User.objects.filter(pk=member.pk).update(calendar_feed_version=5)
    member.refresh_from_db()

    assert not token_is_valid(member, token)


def test_feed_page_shows_the_private_url(member_client, member):
    response = member_client.get(reverse("bookings:calendar"))

    assert feed_path(member) in response.content.decode()


def test_renew_button_changes_the_url_shown(member_client, member):
    old = feed_path(member)

    response = member_client.post(reverse("bookings:calendar"), {"action": "renew"}, follow=True)

    member.refresh_from_db()
    assert old not in response.content.decode()
    assert feed_path(member) in response.content.decode()


def test_turn_off_button_disables_the_feed(member_client, member):
    member_client.post(reverse("bookings:calendar"), {"action": "disable"})

    member.refresh_from_db()
    assert member.calendar_feed_enabled is False


def test_unknown_action_is_a_bad_request(member_client, member):
    response = member_client.post(reverse("bookings:calendar"), {"action": "explode"})

    assert response.status_code == 400


def test_feed_window_keeps_recent_past_bookings(club, member):
    recent = timezone.now() - dt.timedelta(days=10)
    add_booking(club, member, recent.astimezone(club.tzinfo))

    assert len(_events(Client().get(feed_path(member)))) == 1

"""Private iCalendar feeds: a URL whose token only the feed's owner knows.

The token is an HMAC of the user's id and feed version under a purpose salt, so bumping
``calendar_feed_version`` invalidates every earlier URL and nothing needs storing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking

FEED_SALT = "fortresa.bookings.calendar_feed"


def feed_token(user: User) -> str:
    value = f"{user.pk}:{user.calendar_feed_version}"
    return salted_hmac(FEED_SALT, value, algorithm="sha256").hexdigest()


def token_is_valid(user: User, token: str) -> bool:
    """True for the current token of an enabled feed; compared in constant time."""
    return user.calendar_feed_enabled and constant_time_compare(feed_token(user), token)


def feed_path(user: User) -> str:
    return reverse("bookings:calendar_feed", args=[user.pk, feed_token(user)])


def _event(booking: Booking, user: User, stamp: dt.datetime) -> Event:
    event = Event()
    site = settings.FORTRESA_SITE_URL.split("://")[-1].split("/")[0]
    event.add("uid", f"booking-{booking.pk}@{site}")
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.starts_at.astimezone(dt.UTC))
    event.add("dtend", booking.ends_at.astimezone(dt.UTC))
    event.add(
        "summary",
        _("%(court)s at %(club)s") % {"court": booking.court.name, "club": booking.club.name},
    )
    event.add("location", f"{booking.club.name}, {booking.court.name}")
    role = (
        _("You booked this court.") if booking.booked_by_id == user.pk else _("You are a partner.")
    )
    event.add("description", role)
    return event


def render_feed(user: User, bookings: Iterable[Booking]) -> bytes:
    """The feed as iCalendar bytes, worded in the user's preferred language."""
    calendar = Calendar()
    calendar.add("prodid", "-//Fortresa//Court bookings//EN")
    calendar.add("version", "2.0")
    stamp = timezone.now().astimezone(dt.UTC)
    with translation.override(user.preferred_language):
        calendar.add("x-wr-calname", _("My court bookings"))
        for booking in bookings:
            calendar.add_component(_event(booking, user, stamp))
    data: bytes = calendar.to_ical()
    return data

"""Seed the bench database: a club of 20 courts, a booked week and a year of history, members.

    python -m bench.web.seed MEMBERS [--opening-draw SECONDS --opens-in SECONDS]
        [--history-days DAYS]

Run with the bench's environment (its database and ``bench.web.settings``). Prints one
JSON object: the club, its courts, and per member a session cookie and a CSRF secret
(sent as cookie and form field, as Django accepts), so the load tools need no sign-in.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import string

import django

COURTS = 20
# Days of past bookings (four per court and day): a club open for a year.
HISTORY_DAYS = 365
OPEN_FROM, OPEN_UNTIL = dt.time(6), dt.time(23)


def seed(
    members: int, *, draw_seconds: int | None, opens_in: float, history_days: int
) -> dict[str, object]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from fortresa.accounts.models import User
    from fortresa.bookings.models import Booking, BookingRules, FairOpening
    from fortresa.clubs.models import Club, Court, Membership, OpeningHours

    club = Club.objects.create(
        slug="bench", name="Bench club", timezone="UTC", languages=["en"], currency="EUR"
    )
    courts = [
        Court.objects.create(club=club, name=f"Court {n + 1}", position=n) for n in range(COURTS)
    ]
    OpeningHours.objects.bulk_create(
        OpeningHours(court=court, weekday=day, opens_at=OPEN_FROM, closes_at=OPEN_UNTIL)
        for court in courts
        for day in range(7)
    )
    # Written directly: the form caps these for real clubs, the bench books thousands.
    BookingRules.objects.create(
        club=club, days_ahead=60, max_active_bookings=30000, partners_required=0,
        max_duration_minutes=60,
    )  # fmt: skip
    if draw_seconds is not None:
        opens = timezone.now() + dt.timedelta(seconds=opens_in)
        FairOpening.objects.create(club=club, opens_at=opens.time(), draw_seconds=draw_seconds)
    users = User.objects.bulk_create(
        User(email=f"member{n}@bench.test", full_name=f"Member {n}") for n in range(members)
    )
    Membership.objects.bulk_create(Membership(user=user, club=club) for user in users)
    # A booked week for the grid: four bookings per court and day.
    today = timezone.now().date()
    Booking.objects.bulk_create(
        Booking(
            club=club, court=court, booked_by=users[0],
            starts_at=dt.datetime.combine(today + dt.timedelta(days=day), dt.time(hour), dt.UTC),
            ends_at=dt.datetime.combine(today + dt.timedelta(days=day), dt.time(hour + 1), dt.UTC),
        )
        for court in courts
        for day in range(1, 8)
        for hour in (8, 11, 15, 19)
    )  # fmt: skip
    # The club's past: the same four bookings per court and day for ``history_days``
    # before today, so the grid is measured for a club with a history, not a new one.
    Booking.objects.bulk_create(
        (
            Booking(
                club=club, court=court, booked_by=users[0],
                starts_at=dt.datetime.combine(today - dt.timedelta(days=day), dt.time(hour), dt.UTC),
                ends_at=dt.datetime.combine(today - dt.timedelta(days=day), dt.time(hour + 1), dt.UTC),
            )
            for court in courts
            for day in range(1, history_days + 1)
            for hour in (8, 11, 15, 19)
        ),
        batch_size=5000,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum keeps them in service
    alphabet = string.ascii_letters + string.digits
    people = []
    for user in User.objects.filter(email__endswith="@bench.test").order_by("pk"):
        client = Client()
        client.force_login(user)
        people.append(
            {
                "email": user.email,
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "csrf": "".join(secrets.choice(alphabet) for _ in range(32)),
            }
        )
    return {
        "club": club.slug,
        "courts": [court.pk for court in courts],
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "members": people,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("members", type=int)
    parser.add_argument("--opening-draw", type=int, default=None)
    parser.add_argument("--opens-in", type=float, default=0.0)
    parser.add_argument("--history-days", type=int, default=HISTORY_DAYS)
    options = parser.parse_args()
    django.setup()
    result = seed(
        options.members,
        draw_seconds=options.opening_draw,
        opens_in=options.opens_in,
        history_days=options.history_days,
    )
    print(json.dumps(result))  # noqa: T201 - the driver reads it


if __name__ == "__main__":
    main()

"""Plain factory functions for the suite: real rows, sensible defaults, keyword overrides."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client

from fortresa.accounts.models import User
from fortresa.bookings.models import BookingRules
from fortresa.clubs.models import Club, Court, Membership, MembershipType, OpeningHours, Role

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple 42"  # pragma: allowlist secret


def make_user(**overrides: Any) -> User:
    n = next(_seq)
    fields: dict[str, Any] = {"email": f"user{n}@example.test", "full_name": f"Player {n}"}
    fields.update(overrides)
    password = fields.pop("password", PASSWORD)
    return User.objects.create_user(password=password, **fields)


def make_club(
    *,
    courts: int = 2,
    open_from: dt.time = dt.time(8),
    open_until: dt.time = dt.time(22),
    rules: dict[str, Any] | None = None,
    **overrides: Any,
) -> Club:
    n = next(_seq)
    fields: dict[str, Any] = {
        "slug": f"club-{n}",
        "name": f"Club {n}",
        "timezone": "Europe/Paris",
        "languages": ["en", "fr"],
        "currency": "EUR",
    }
    fields.update(overrides)
    club = Club.objects.create(**fields)
    for index in range(courts):
        court = Court.objects.create(club=club, name=f"Court {index + 1}", position=index)
        OpeningHours.objects.bulk_create(
            OpeningHours(court=court, weekday=day, opens_at=open_from, closes_at=open_until)
            for day in range(7)
        )
    BookingRules.objects.create(club=club, **(rules or {}))
    return club


def make_membership(
    club: Club,
    user: User | None = None,
    *,
    role: str = Role.MEMBER,
    membership_type: MembershipType | None = None,
) -> Membership:
    return Membership.objects.create(
        club=club, user=user or make_user(), role=role, membership_type=membership_type
    )


def sign_in(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user``, past the two-factor gate when their role needs it.

    Operators, club admins and club staff must prove a second factor before staff pages;
    members sign in with their password alone.
    """
    from fortresa.accounts.roles import is_privileged
    from tests.accounts.support import sign_in_verified

    if is_privileged(user):
        already_sent = len(mail.outbox)
        # Enrolling the second factor emails its owner on commit; that is setup, not the
        # behaviour under test: send it now and take it out of the outbox again.
        start = len(connection.run_on_commit)
        sign_in_verified(client, user)
        while len(connection.run_on_commit) > start:
            pending = connection.run_on_commit[start:]
            del connection.run_on_commit[start:]
            for _savepoints, callback, _robust in pending:
                callback()
        del mail.outbox[already_sent:]
        return client
    client.force_login(user)
    return client

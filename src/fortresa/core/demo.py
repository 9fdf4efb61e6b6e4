"""The demo club of the embedded default (``fortresa seed_demo``, run by ``fortresa run``).

Seeding is idempotent: it creates what is missing, leaves what a person changed in the
demo club alone, and puts the demo logins back in a state where the printed password
and roles work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from fortresa.accounts.models import User
from fortresa.bookings.models import BookingRules, MembershipTypeRules
from fortresa.clubs.models import Club, Court, Membership, MembershipType, OpeningHours, Role
from fortresa.core.audit import record_event
from fortresa.core.secretfiles import create_text_once

DEMO_SLUG = "demo"
DEMO_CLUB_NAME = "Fortresa Demo Tennis Club"
OPENS_AT = dt.time(8)
CLOSES_AT = dt.time(22)


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    membership_type: str = "Adult"
    operator: bool = False


DEMO_USERS = (
    DemoUser("admin@demo.test", "Demo Admin", Role.ADMIN, operator=True),
    DemoUser("staff@demo.test", "Demo Staff", Role.STAFF),
    DemoUser("member@demo.test", "Demo Member", Role.MEMBER),
    DemoUser("alice@demo.test", "Alice Martin", Role.MEMBER),
    DemoUser("bruno@demo.test", "Bruno Keller", Role.MEMBER),
    DemoUser("chen@demo.test", "Chen Wei", Role.MEMBER),
    DemoUser("dagny@demo.test", "Dagny Holm", Role.MEMBER, membership_type="Junior"),
)
# The three logins printed by ``fortresa run``.
DEMO_LOGINS = tuple(user.email for user in DEMO_USERS[:3])


@dataclass(frozen=True)
class DemoCourt:
    name: str
    surface: str
    indoor: bool
    has_lights: bool


DEMO_COURTS = (
    DemoCourt("Court 1", Court.Surface.CLAY, indoor=False, has_lights=False),
    DemoCourt("Court 2", Court.Surface.CLAY, indoor=False, has_lights=False),
    DemoCourt("Indoor 1", Court.Surface.HARD, indoor=True, has_lights=True),
    DemoCourt("Indoor 2", Court.Surface.HARD, indoor=True, has_lights=True),
)


def seed_demo(*, password: str) -> Club:
    """Create the demo club, courts, rules and users; reset the demo users' password."""
    if settings.PROFILE == "production":
        raise RuntimeError("the demo club is never seeded in production")
    with transaction.atomic():
        club, club_created = Club.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": DEMO_CLUB_NAME,
                "timezone": "Europe/Paris",
                "languages": [code for code, _name in settings.LANGUAGES],
                "default_language": "en",
                "currency": "EUR",
                "contact_email": "contact@demo.test",
                "open_signup": True,
            },
        )
        _seed_courts(club)
        BookingRules.objects.get_or_create(
            club=club,
            defaults={
                "days_ahead": 14,
                "max_active_bookings": 3,
                "slot_minutes": 60,
                "min_duration_minutes": 60,
                "max_duration_minutes": 120,
                "partners_required": 1,
                "guests_allowed": True,
                "guest_fee": Decimal("10.00"),
                "cancellation_deadline_hours": 2,
            },
        )
        types = _seed_membership_types(club)
        # One (deliberately slow) Argon2 hash for every demo user: they share the password.
        password_hash = make_password(password)
        for demo_user in DEMO_USERS:
            _seed_user(club, demo_user, types[demo_user.membership_type], password_hash)
        # payments: guest fees are paid through the local PayPal simulator.
        from fortresa.payments.demo import enable_demo_gateway

        enable_demo_gateway(club)
        record_event(
            action="demo.seeded",
            club_id=club.pk,
            target=f"club:{club.pk}",
            details={"club_created": club_created, "users": [u.email for u in DEMO_USERS]},
        )
    return club


def _seed_courts(club: Club) -> None:
    for position, spec in enumerate(DEMO_COURTS):
        court, created = Court.objects.get_or_create(
            club=club,
            name=spec.name,
            defaults={
                "sport": Court.Sport.TENNIS,
                "surface": spec.surface,
                "indoor": spec.indoor,
                "has_lights": spec.has_lights,
                "position": position,
            },
        )
        if created:
            OpeningHours.objects.bulk_create(
                OpeningHours(court=court, weekday=day, opens_at=OPENS_AT, closes_at=CLOSES_AT)
                for day in range(7)
            )


def _seed_membership_types(club: Club) -> dict[str, MembershipType]:
    adult, _ = MembershipType.objects.get_or_create(
        club=club, name="Adult", defaults={"description": "Full membership, 18 and over."}
    )
    junior, _ = MembershipType.objects.get_or_create(
        club=club, name="Junior", defaults={"description": "Under 18: books up to 3 days ahead."}
    )
    MembershipTypeRules.objects.get_or_create(membership_type=junior, defaults={"days_ahead": 3})
    return {"Adult": adult, "Junior": junior}


def _seed_user(
    club: Club, demo_user: DemoUser, membership_type: MembershipType, password_hash: str
) -> None:
    user = User.objects.filter(email=demo_user.email).first()
    if user is None:
        user = User(email=demo_user.email, full_name=demo_user.full_name)
    user.password = password_hash
    user.is_active = True
    if demo_user.operator:
        user.is_staff = user.is_superuser = True
    user.save()
    Membership.objects.update_or_create(
        user=user,
        club=club,
        defaults={"role": demo_user.role},
        create_defaults={"role": demo_user.role, "membership_type": membership_type},
    )


def demo_password(secrets_dir: Path) -> str:
    """``FORTRESA_DEMO_PASSWORD``, else a random password generated once (mode 0600)."""
    if settings.FORTRESA_DEMO_PASSWORD:
        return str(settings.FORTRESA_DEMO_PASSWORD)
    path = secrets_dir / "demo_password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return create_text_once(path, secrets.token_urlsafe(12))

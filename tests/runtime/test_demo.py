from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate

from fortresa.accounts.models import User
from fortresa.bookings.models import BookingRules, MembershipTypeRules
from fortresa.clubs.models import Club, Court, Membership, MembershipType, OpeningHours, Role
from fortresa.core.demo import demo_password, seed_demo

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PASSWORD = "demo password for tests"  # pragma: allowlist secret
SEEDED_MODELS = (
    Club,
    Court,
    OpeningHours,
    MembershipType,
    MembershipTypeRules,
    BookingRules,
    User,
    Membership,
)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def test_seeding_twice_creates_nothing_new() -> None:
    seed_demo(password=PASSWORD)
    first = _counts()

    seed_demo(password=PASSWORD)

    assert _counts() == first
    assert first["Court"] == 4
    assert first["OpeningHours"] == 28


OLD_PASSWORD = "an old password here"  # pragma: allowlist secret


def test_reseeding_resets_the_demo_password() -> None:
    seed_demo(password=OLD_PASSWORD)

    seed_demo(password=PASSWORD)

    assert authenticate(username="member@demo.test", password=PASSWORD) is not None
    assert authenticate(username="member@demo.test", password=OLD_PASSWORD) is None


def test_demo_club_has_rules_requiring_one_partner_and_allowing_paid_guests() -> None:
    club = seed_demo(password=PASSWORD)

    rules = BookingRules.objects.get(club=club)

    assert (club.slug, club.name, club.timezone) == (
        "demo",
        "Fortresa Demo Tennis Club",
        "Europe/Paris",
    )
    assert club.open_signup
    assert len(club.languages) == 6
    assert (rules.partners_required, rules.slot_minutes, rules.guests_allowed) == (1, 60, True)
    assert rules.guest_fee > 0


def test_junior_members_book_fewer_days_ahead() -> None:
    club = seed_demo(password=PASSWORD)

    junior = MembershipTypeRules.objects.get(
        membership_type__club=club, membership_type__name="Junior"
    )

    assert junior.days_ahead is not None
    assert junior.days_ahead < BookingRules.objects.get(club=club).days_ahead


def test_demo_logins_have_their_roles_and_admin_is_operator() -> None:
    club = seed_demo(password=PASSWORD)

    roles = dict(Membership.objects.filter(club=club).values_list("user__email", "role"))
    admin = User.objects.get(email="admin@demo.test")

    assert roles["admin@demo.test"] == Role.ADMIN
    assert roles["staff@demo.test"] == Role.STAFF
    assert roles["member@demo.test"] == Role.MEMBER
    assert sum(role == Role.MEMBER for role in roles.values()) >= 4
    assert admin.is_staff
    assert admin.is_superuser
    assert User.objects.get(email="member@demo.test").full_name == "Demo Member"


def test_seeding_is_refused_in_production(settings: Any) -> None:
    settings.PROFILE = "production"

    with pytest.raises(RuntimeError, match="production"):
        seed_demo(password=PASSWORD)

    assert not Club.objects.filter(slug="demo").exists()


def test_generated_demo_password_is_stored_once_owner_only(tmp_path: Path, settings: Any) -> None:
    settings.FORTRESA_DEMO_PASSWORD = ""

    first = demo_password(tmp_path)
    second = demo_password(tmp_path)

    assert first == second
    assert len(first) >= 12
    assert (tmp_path / "demo_password").stat().st_mode & 0o777 == 0o600


def test_demo_password_from_environment_wins(tmp_path: Path, settings: Any) -> None:
    settings.FORTRESA_DEMO_PASSWORD = "from the environment"  # pragma: allowlist secret

    assert demo_password(tmp_path) == "from the environment"
    assert not (tmp_path / "demo_password").exists()

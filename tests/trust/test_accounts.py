"""Sign-in protection and a club's staff two-factor coverage follow the real accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Role
from fortresa.core.audit import record_event
from fortresa.trust.providers.accounts import ClubAccessProvider, LoginProvider
from fortresa.trust.providers.base import Status
from tests.accounts.support import enrol_totp
from tests.factories import make_club, make_membership, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
ARGON2_FIRST = [
    "fortresa.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]


def _facts(section: Any) -> dict[str, Any]:
    return {fact.key: fact.value for fact in section.facts}


def _login() -> Any:
    return LoginProvider().build(now=timezone.now())


def _staff(club: Any, *, two_factor: bool, role: str = Role.STAFF) -> User:
    user = make_membership(club, role=role).user
    if two_factor:
        enrol_totp(user)
    return user


def test_every_staff_account_with_two_factor_is_met(settings):
    club = make_club()
    _staff(club, two_factor=True)
    _staff(club, two_factor=True, role=Role.ADMIN)
    make_membership(club)  # members are not required to use two-factor
    settings.PASSWORD_HASHERS = ARGON2_FIRST

    section = _login()

    assert section.status == Status.MET, section.reasons
    facts = _facts(section)
    assert facts["staff_two_factor"] == "100.0"
    assert facts["lockout_threshold"] == 5
    assert facts["password_min_length"] == 12
    assert facts["breached_password_check"] is True
    assert facts["password_hashing"] == "argon2id"  # pragma: allowlist secret


def test_a_staff_account_without_two_factor_degrades(settings):
    club = make_club()
    _staff(club, two_factor=True)
    _staff(club, two_factor=False)
    settings.PASSWORD_HASHERS = ARGON2_FIRST

    section = _login()

    assert section.status == Status.DEGRADED
    assert _facts(section)["staff_two_factor"] == "50.0"
    assert "Some staff accounts have no second factor." in [str(r) for r in section.reasons]


def test_operator_account_without_two_factor_degrades(settings):
    make_user(is_staff=True)
    settings.PASSWORD_HASHERS = ARGON2_FIRST

    assert _login().status == Status.DEGRADED


def test_weaker_password_hasher_degrades():
    # The test profile hashes with MD5 first to keep the suite fast.
    section = _login()

    assert section.status == Status.DEGRADED
    assert _facts(section)["password_hashing"] == "md5"  # pragma: allowlist secret


def test_club_staff_coverage_counts_only_that_club():
    club, other = make_club(), make_club()
    _staff(club, two_factor=True, role=Role.ADMIN)
    _staff(other, two_factor=False)

    section = ClubAccessProvider().build(now=timezone.now(), club=club)

    assert section.status == Status.MET
    assert _facts(section)["staff_two_factor"] == "100.0"


def test_club_staff_member_without_two_factor_degrades_the_club():
    club = make_club()
    _staff(club, two_factor=True, role=Role.ADMIN)
    _staff(club, two_factor=False)

    section = ClubAccessProvider().build(now=timezone.now(), club=club)

    assert section.status == Status.DEGRADED
    assert _facts(section)["staff_two_factor"] == "50.0"


def test_club_section_counts_members_exports_and_role_changes():
    club, other = make_club(), make_club()
    exporter = make_membership(club).user
    outsider = make_membership(other).user
    for user in (exporter, exporter, outsider):
        record_event(action="privacy.data_exported", actor=user, target=f"user:{user.pk}")
    record_event(action="club.role_changed", actor=None, club_id=club.pk, target="membership:1")

    facts = _facts(ClubAccessProvider().build(now=timezone.now(), club=club))

    assert facts["exports_90_days"] == 2
    assert facts["role_changes_90_days"] == 1
    assert facts["last_export_at"] > timezone.now() - dt.timedelta(minutes=1)

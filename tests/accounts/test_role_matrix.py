"""Every role against every staff and member page, through the real URLs.

The matrix below is the one in docs/security.md ("Roles and need-to-know"): 200 the
page, 302 sent to sign in, 403 refused, 404 nothing there for you, 400 a form needing
its parameters. Staff, admins and operators have enrolled and proved a second factor.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.clubs.models import MembershipType
from tests.accounts.support import sign_in_verified
from tests.factories import make_club, make_membership, make_user

ROLES = ("anonymous", "member", "coach", "staff", "admin", "other_club_admin", "operator")
PRIVILEGED = {"staff", "admin", "other_club_admin", "operator"}

# url name: statuses for the roles above, in that order.
MATRIX: dict[str, tuple[int, ...]] = {
    "clubs:home": (200, 200, 200, 200, 200, 200, 200),
    "bookings:day": (302, 200, 200, 200, 200, 403, 403),
    "bookings:week": (302, 200, 200, 200, 200, 403, 403),
    "bookings:book": (302, 400, 400, 400, 400, 403, 403),
    "bookings:mine": (302, 200, 200, 200, 200, 200, 200),
    "bookings:calendar": (302, 200, 200, 200, 200, 200, 200),
    "accounts:profile": (302, 200, 200, 200, 200, 200, 200),
    "accounts:security": (302, 200, 200, 200, 200, 200, 200),
    "accounts:sessions": (302, 200, 200, 200, 200, 200, 200),
    "accounts:privacy": (302, 200, 200, 200, 200, 200, 200),
    "clubs:manage": (302, 403, 403, 200, 200, 403, 403),
    "clubs:manage_closures": (302, 403, 403, 200, 200, 403, 403),
    "clubs:manage_members": (302, 403, 403, 200, 200, 403, 403),
    "clubs:manage_member": (302, 403, 403, 200, 200, 403, 403),
    "clubs:manage_invitations": (302, 403, 403, 200, 200, 403, 403),
    "accounts:staff_unlock": (302, 404, 404, 200, 200, 404, 404),
    "clubs:manage_settings": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_courts": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_court_create": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_court_edit": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_court_hours": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_types": (302, 403, 403, 403, 200, 403, 403),
    "clubs:manage_type_edit": (302, 403, 403, 403, 200, 403, 403),
    "bookings:manage_rules": (302, 403, 403, 403, 200, 403, 403),
    "admin:index": (302, 302, 302, 302, 302, 302, 200),
}


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    club, other = make_club(), make_club()
    subject = make_membership(club)
    court = club.courts.first()
    membership_type = MembershipType.objects.create(club=club, name="Adult")
    users = {
        "anonymous": None,
        "member": make_membership(club).user,
        "coach": make_membership(club, role="coach").user,
        "staff": make_membership(club, role="staff").user,
        "admin": make_membership(club, role="admin").user,
        "other_club_admin": make_membership(other, role="admin").user,
        "operator": make_user(is_staff=True, is_superuser=True),
    }
    slug = club.slug
    args = {
        "clubs:home": [slug],
        "clubs:manage_court_edit": [slug, court.pk],
        "clubs:manage_court_hours": [slug, court.pk],
        "clubs:manage_type_edit": [slug, membership_type.pk],
        "clubs:manage_member": [slug, subject.pk],
        "accounts:staff_unlock": [slug, subject.user.pk],
    }
    for name in MATRIX:
        if name not in args:
            needs_slug = name.startswith(("clubs:", "bookings:d", "bookings:w", "bookings:b"))
            args[name] = [slug] if needs_slug or name == "bookings:manage_rules" else []
    return users, args


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(world, role):
    users, args = world
    client = Client()
    user = users[role]
    if user is not None:
        if role in PRIVILEGED:
            sign_in_verified(client, user)
        else:
            client.force_login(user)

    seen = {name: client.get(reverse(name, args=args[name])).status_code for name in MATRIX}

    expected = {name: statuses[ROLES.index(role)] for name, statuses in MATRIX.items()}
    assert seen == expected

"""Which accounts are privileged: platform operators and club staff or admins.

Accounts sits below clubs in the dependency order, so it reads club roles through the
``memberships`` relation the clubs app declares on the user, by role name only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser

from fortresa.accounts.models import User

PRIVILEGED_CLUB_ROLES = ("admin", "staff")
# The club role that grants nothing beyond booking: left out of the fingerprint.
UNPRIVILEGED_ROLE = "member"


def privilege_fingerprint(user: User) -> str:
    """A stable text of everything that grants privilege; it changes when a role does."""
    roles = user.memberships.exclude(role=UNPRIVILEGED_ROLE).values_list("club_id", "role")
    return fingerprint_of(user, roles)


def fingerprint_of(user: User, club_roles: Iterable[tuple[int, str]]) -> str:
    """The fingerprint of ``user`` holding ``club_roles`` ((club id, role) other than member)."""
    parts = []
    if user.is_superuser:
        parts.append("superuser")
    if user.is_staff:
        parts.append("operator")
    parts.extend(f"club{club_id}:{role}" for club_id, role in sorted(club_roles))
    return ",".join(parts)


def is_privileged(user: User | AnonymousUser) -> bool:
    """Operators, club admins and club staff: two-factor is mandatory for them."""
    if not isinstance(user, User):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(user.memberships.filter(role__in=PRIVILEGED_CLUB_ROLES).exists())


def is_privileged_fingerprint(fingerprint: str) -> bool:
    return any(
        part in ("superuser", "operator") or part.endswith((":admin", ":staff"))
        for part in fingerprint.split(",")
        if part
    )


def staffs_club_of(actor: User, member: User, slug: str) -> bool:
    """Whether ``actor`` is staff or admin of club ``slug`` and ``member`` belongs to it."""
    return bool(
        actor.memberships.filter(club__slug=slug, role__in=PRIVILEGED_CLUB_ROLES).exists()
        and member.memberships.filter(club__slug=slug).exists()
    )

"""Who may do what in a club's administration: the matrix as data, checked in one place.

Views call ``access_club_for(user, slug, capability)``; it fetches the club, checks the
user's membership and the capability together, and answers like ``access_club``:
Http404 for an unknown club, PermissionDenied for anyone without the capability.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from fortresa.accounts.models import User
from fortresa.clubs.models import Role
from fortresa.clubs.selectors import ClubAccess, access_club


class Capability(StrEnum):
    VIEW_ADMINISTRATION = "view_administration"
    EDIT_SETTINGS = "edit_settings"
    MANAGE_COURTS = "manage_courts"  # courts and their opening hours
    MANAGE_CLOSURES = "manage_closures"
    MANAGE_MEMBERSHIP_TYPES = "manage_membership_types"
    VIEW_MEMBERS = "view_members"
    ASSIGN_MEMBERSHIP_TYPE = "assign_membership_type"
    CHANGE_ROLE = "change_role"
    REMOVE_MEMBER = "remove_member"
    INVITE_MEMBER = "invite_member"  # roles limited by INVITABLE_ROLES
    REVOKE_INVITATION = "revoke_invitation"  # roles limited by INVITABLE_ROLES


_ADMIN = frozenset({Role.ADMIN})
_ADMIN_AND_STAFF = frozenset({Role.ADMIN, Role.STAFF})

MATRIX: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_ADMINISTRATION: _ADMIN_AND_STAFF,
    Capability.EDIT_SETTINGS: _ADMIN,
    Capability.MANAGE_COURTS: _ADMIN,
    Capability.MANAGE_CLOSURES: _ADMIN_AND_STAFF,
    Capability.MANAGE_MEMBERSHIP_TYPES: _ADMIN,
    Capability.VIEW_MEMBERS: _ADMIN_AND_STAFF,
    Capability.ASSIGN_MEMBERSHIP_TYPE: _ADMIN_AND_STAFF,
    Capability.CHANGE_ROLE: _ADMIN,
    Capability.REMOVE_MEMBER: _ADMIN,
    Capability.INVITE_MEMBER: _ADMIN_AND_STAFF,
    Capability.REVOKE_INVITATION: _ADMIN_AND_STAFF,
}

# The roles an invitation from each role may carry (and which it may revoke).
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    Role.ADMIN: (Role.MEMBER, Role.COACH, Role.STAFF, Role.ADMIN),
    Role.STAFF: (Role.MEMBER, Role.COACH),
}


def allows(role: str | None, capability: Capability) -> bool:
    return role is not None and Role(role) in MATRIX[capability]


def capabilities_of(role: str | None) -> frozenset[str]:
    """The capability names ``role`` holds, for templates deciding which links to show."""
    return frozenset(str(cap) for cap in Capability if allows(role, cap))


def invitable_roles(role: str | None) -> tuple[Role, ...]:
    return INVITABLE_ROLES.get(Role(role), ()) if role else ()


def access_club_for(user: User | AnonymousUser, slug: str, capability: Capability) -> ClubAccess:
    """Fetch club ``slug`` and check that ``user`` holds ``capability`` there."""
    access = access_club(user, slug, Role.MEMBER)
    if not allows(access.role, capability):
        raise PermissionDenied("not allowed in this club")
    return access

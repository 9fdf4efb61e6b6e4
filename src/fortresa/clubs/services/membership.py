"""Joining and leaving clubs, roles and membership types of members."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent, User
from fortresa.accounts.services import create_account
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.models import Club, Membership, MembershipType, Role
from fortresa.clubs.selectors import default_membership_type
from fortresa.core.audit import record_event


def add_member(
    *,
    club: Club,
    user: User,
    role: str,
    membership_type: MembershipType | None,
    action: str,
    actor: User,
    details: dict[str, object] | None = None,
    ip_address: str | None = None,
) -> Membership:
    """Create ``user``'s membership of ``club``; the caller holds the transaction."""
    if Membership.objects.filter(club=club, user=user).exists():
        raise ActionRefused(_("You are already a member of this club."))
    if membership_type is not None and membership_type.club_id != club.pk:
        raise ActionRefused(_("This membership type belongs to another club."))
    membership = Membership.objects.create(
        club=club, user=user, role=role, membership_type=membership_type
    )
    record_event(
        action=action,
        actor=actor,
        club_id=club.pk,
        target=f"user:{user.pk}",
        ip_address=ip_address,
        details={"role": role, **(details or {})},
    )
    return membership


def join_club(*, club: Club, actor: User, ip_address: str | None = None) -> Membership:
    """Open sign-up for a signed-in user: membership with the club's default type."""
    with transaction.atomic():
        if not club.open_signup:
            raise ActionRefused(_("This club accepts new members by invitation only."))
        return add_member(
            club=club,
            user=actor,
            role=Role.MEMBER,
            membership_type=default_membership_type(club),
            action="club.member_joined",
            actor=actor,
            ip_address=ip_address,
        )


def sign_up_and_join(
    *,
    club: Club,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str,
    ip_address: str | None = None,
) -> Membership:
    """Open sign-up for a visitor: a new account and its membership, all or nothing."""
    with transaction.atomic():
        if not club.open_signup:
            raise ActionRefused(_("This club accepts new members by invitation only."))
        user = create_account(
            email=email,
            full_name=full_name,
            password=password,
            preferred_language=preferred_language,
            ip_address=ip_address,
        )
        return join_club(club=club, actor=user, ip_address=ip_address)


def _lock_admins(club: Club) -> list[int]:
    """Lock the club's admin memberships so two demotions cannot both pass the check."""
    return list(
        Membership.objects.select_for_update()
        .filter(club=club, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def change_member_role(
    *, membership: Membership, role: str, actor: User, ip_address: str | None = None
) -> Membership:
    """Give a member another role; the club's last admin keeps theirs."""
    new_role = Role(role)
    with transaction.atomic():
        admins = _lock_admins(membership.club)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        old_role = Role(locked.role)
        if old_role == new_role:
            return locked
        if old_role == Role.ADMIN and admins == [locked.pk]:
            raise ActionRefused(_("This is the club's last admin: make someone else admin first."))
        locked.role = new_role
        locked.save(update_fields=["role"])
        record_event(
            action="club.role_changed",
            actor=actor,
            club_id=locked.club_id,
            target=f"user:{locked.user_id}",
            ip_address=ip_address,
            details={"old_role": str(old_role), "new_role": str(new_role)},
        )
        # Detection reads security events: a role granted is an alert, high for staff/admin.
        record_security_event(
            kind=SecurityEvent.Kind.ROLE_CHANGED,
            user=locked.user,
            actor=actor,
            ip_address=ip_address,
            details={"club_id": locked.club_id, "from": str(old_role), "to": str(new_role)},
        )
    return locked


def remove_member(*, membership: Membership, actor: User, ip_address: str | None = None) -> None:
    """End a membership; the club's last admin cannot be removed."""
    with transaction.atomic():
        admins = _lock_admins(membership.club)
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == Role.ADMIN and admins == [locked.pk]:
            raise ActionRefused(_("This is the club's last admin: make someone else admin first."))
        record_event(
            action="club.member_removed",
            actor=actor,
            club_id=locked.club_id,
            target=f"user:{locked.user_id}",
            ip_address=ip_address,
            details={"role": locked.role},
        )
        locked.delete()


def assign_membership_type(
    *,
    membership: Membership,
    membership_type: MembershipType | None,
    actor: User,
    ip_address: str | None = None,
) -> Membership:
    """Set a member's membership type (None: no type)."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership_type is not None and membership_type.club_id != locked.club_id:
            raise ActionRefused(_("This membership type belongs to another club."))
        old_id = locked.membership_type_id
        new_id = membership_type.pk if membership_type else None
        if old_id == new_id:
            return locked
        locked.membership_type = membership_type
        locked.save(update_fields=["membership_type"])
        record_event(
            action="club.membership_type_assigned",
            actor=actor,
            club_id=locked.club_id,
            target=f"user:{locked.user_id}",
            ip_address=ip_address,
            details={"old_type_id": old_id, "new_type_id": new_id},
        )
    return locked

"""Invitations by email: only the token's SHA-256 is stored; links are single use."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.models import User
from fortresa.accounts.services import create_account
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.models import Club, Invitation, Membership, MembershipType, Role
from fortresa.clubs.permissions import invitable_roles
from fortresa.clubs.selectors import hash_invitation_token, is_member_email
from fortresa.clubs.services.membership import add_member
from fortresa.core.audit import record_event
from fortresa.notifications.services import send_email

INVITATION_VALIDITY = dt.timedelta(days=7)


def _actor_role(club: Club, actor: User) -> str | None:
    return Membership.objects.filter(club=club, user=actor).values_list("role", flat=True).first()


def _send_invitation_email(
    invitation_id: int, token: str, actor_id: int, ip_address: str | None
) -> None:
    invitation = Invitation.objects.select_related("club").get(pk=invitation_id)
    club = invitation.club
    link = settings.FORTRESA_SITE_URL.rstrip("/") + reverse("clubs:accept_invitation", args=[token])
    send_email(
        to=invitation.email,
        kind="club_invitation",
        context={"club": club, "link": link, "days": INVITATION_VALIDITY.days},
        language=club.default_language,
        club=club,
        actor=User.objects.filter(pk=actor_id).first(),
        ip_address=ip_address,
    )


def invite_member(
    *,
    club: Club,
    email: str,
    role: str,
    membership_type: MembershipType | None,
    actor: User,
    ip_address: str | None = None,
) -> Invitation:
    """Invite ``email`` to ``club`` with ``role``; the link is emailed after commit.

    The actor's own role bounds the roles they may hand out (see
    ``permissions.INVITABLE_ROLES``). An earlier pending invitation to the same address
    stops working, so only the newest link is valid.
    """
    email = email.strip().lower()
    with transaction.atomic():
        if Role(role) not in invitable_roles(_actor_role(club, actor)):
            raise ActionRefused(_("You may not invite someone with this role."))
        if membership_type is not None and membership_type.club_id != club.pk:
            raise ActionRefused(_("This membership type belongs to another club."))
        if is_member_email(club, email):
            raise ActionRefused(_("%(email)s is already a member of this club.") % {"email": email})
        Invitation.objects.filter(club=club, email=email, accepted_at__isnull=True).delete()
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            club=club,
            email=email,
            role=role,
            membership_type=membership_type,
            token_hash=hash_invitation_token(token),
            created_by=actor,
            expires_at=timezone.now() + INVITATION_VALIDITY,
        )
        record_event(
            action="club.member_invited",
            actor=actor,
            club_id=club.pk,
            target=f"invitation:{invitation.pk}",
            ip_address=ip_address,
            details={"role": role},
        )
        invitation_id = invitation.pk
        # robust: a mail relay failure must not turn a committed invitation into a 500;
        # it is logged and the inviter can invite again.
        actor_id = actor.pk
        transaction.on_commit(
            lambda: _send_invitation_email(invitation_id, token, actor_id, ip_address), robust=True
        )
    return invitation


def _lock_usable(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("club").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ActionRefused(_("This invitation has already been used."))
    if locked.expires_at <= timezone.now():
        raise ActionRefused(_("This invitation has expired. Ask the club for a new one."))
    return locked


def _accept(locked: Invitation, user: User, ip_address: str | None) -> Membership:
    membership = add_member(
        club=locked.club,
        user=user,
        role=locked.role,
        membership_type=locked.membership_type,
        action="club.invitation_accepted",
        actor=user,
        details={"invitation": locked.pk},
        ip_address=ip_address,
    )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    return membership


def accept_invitation(
    *, invitation: Invitation, actor: User, ip_address: str | None = None
) -> Membership:
    """A signed-in user accepts an invitation sent to their own address."""
    with transaction.atomic():
        locked = _lock_usable(invitation)
        if actor.email.lower() != locked.email.lower():
            raise ActionRefused(
                _("This invitation was sent to another email address than your account's.")
            )
        return _accept(locked, actor, ip_address)


def accept_invitation_with_new_account(
    *,
    invitation: Invitation,
    full_name: str,
    password: str,
    preferred_language: str,
    ip_address: str | None = None,
) -> Membership:
    """Create the invited person's account and membership, all or nothing."""
    with transaction.atomic():
        locked = _lock_usable(invitation)
        user = create_account(
            email=locked.email,
            full_name=full_name,
            password=password,
            preferred_language=preferred_language,
            ip_address=ip_address,
        )
        return _accept(locked, user, ip_address)


def revoke_invitation(
    *, invitation: Invitation, actor: User, ip_address: str | None = None
) -> None:
    """Withdraw a pending invitation: its link stops working at once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if Role(locked.role) not in invitable_roles(_actor_role(locked.club, actor)):
            raise ActionRefused(_("You may not revoke an invitation with this role."))
        if locked.accepted_at is not None:
            raise ActionRefused(_("This invitation has already been used."))
        record_event(
            action="club.invitation_revoked",
            actor=actor,
            club_id=locked.club_id,
            target=f"invitation:{locked.pk}",
            ip_address=ip_address,
            details={"role": locked.role},
        )
        locked.delete()

"""Reads of club data. Views reach a club only through ``access_club``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import (
    Closure,
    Club,
    Court,
    Invitation,
    Membership,
    MembershipType,
    OpeningHours,
    Role,
)
from fortresa.dbaccess.tenancy import scope_to_invitation_club


@dataclass(frozen=True)
class ClubAccess:
    """A club together with the requesting user's membership of it (None for operators)."""

    club: Club
    membership: Membership | None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def allows(self, minimum: str) -> bool:
        return self.membership is not None and self.membership.has_role(minimum)


def public_clubs() -> QuerySet[Club]:
    return Club.objects.filter(open_signup=True).order_by("name")


def clubs_for_user(user: User | AnonymousUser) -> list[Club]:
    if not user.is_authenticated:
        return []
    return [
        m.club
        for m in Membership.objects.filter(user=user).select_related("club").order_by("club__name")
    ]


def get_club_or_404(slug: str) -> Club:
    try:
        return Club.objects.get(slug=slug)
    except Club.DoesNotExist:
        raise Http404("no such club") from None


def access_club(user: User | AnonymousUser, slug: str, minimum: str = Role.MEMBER) -> ClubAccess:
    """Fetch the club ``slug`` and check that ``user`` holds at least role ``minimum`` there.

    Raises Http404 for an unknown club and PermissionDenied for a user without the role,
    so every view gets the same answer for the same situation.
    """
    membership = None
    if user.is_authenticated:
        # A member's page (the common case) reads club and membership in one query; the
        # pair is unique, so ``get`` rather than ``first``, whose ordering (the model's:
        # club name, user name) joined the users table on every page.
        try:
            membership = Membership.objects.select_related("club", "membership_type").get(
                user=user, club__slug=slug
            )
        except Membership.DoesNotExist:
            membership = None
    if membership is None:
        get_club_or_404(slug)
        if not user.is_authenticated:
            raise PermissionDenied("sign in first")
        raise PermissionDenied("not allowed in this club")
    if not membership.has_role(minimum):
        raise PermissionDenied("not allowed in this club")
    return ClubAccess(club=membership.club, membership=membership)


def courts_of(club: Club, *, active_only: bool = True) -> QuerySet[Court]:
    courts = Court.objects.filter(club=club)
    if active_only:
        courts = courts.filter(is_active=True)
    return courts.order_by("position", "name")


def members_of(club: Club) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(club=club)
        .select_related("user", "membership_type")
        .order_by("user__full_name", "user__email")
    )


# --- Club pages and administration ---------------------------------------------------


def membership_of(user: User | AnonymousUser, club: Club) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, club=club).first()


def default_membership_type(club: Club) -> MembershipType | None:
    """The type given to members who join by open sign-up.

    A club with exactly one membership type gives that one; with several (or none) the
    new member starts without a type and staff assign one.
    """
    types = list(MembershipType.objects.filter(club=club)[:2])
    return types[0] if len(types) == 1 else None


def membership_types_of(club: Club) -> QuerySet[MembershipType]:
    return MembershipType.objects.filter(club=club).order_by("name")


def court_in(club: Club, court_id: int) -> Court:
    return get_object_or_404(Court, club=club, pk=court_id)


def closure_in(club: Club, closure_id: int) -> Closure:
    return get_object_or_404(Closure, club=club, pk=closure_id)


def membership_type_in(club: Club, type_id: int) -> MembershipType:
    return get_object_or_404(MembershipType, club=club, pk=type_id)


def membership_in(club: Club, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "membership_type"), club=club, pk=membership_id
    )


def invitation_in(club: Club, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, club=club, pk=invitation_id)


def opening_hours_of(court: Court) -> QuerySet[OpeningHours]:
    return OpeningHours.objects.filter(court=court).order_by("weekday", "opens_at")


def upcoming_closures(club: Club) -> QuerySet[Closure]:
    return (
        Closure.objects.filter(club=club, ends_at__gt=timezone.now())
        .select_related("court")
        .order_by("starts_at")
    )


def search_members(club: Club, query: str = "") -> QuerySet[Membership]:
    members = members_of(club)
    if query:
        members = members.filter(
            Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
        )
    return members


def is_member_email(club: Club, email: str) -> bool:
    return Membership.objects.filter(club=club, user__email__iexact=email).exists()


def pending_invitations(club: Club) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            club=club, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("membership_type", "created_by")
        .order_by("-created_at")
    )


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token names, used or not; None for an unknown token."""
    if not token or len(token) > 128:
        return None
    token_hash = hash_invitation_token(token)
    # The token is the only clue to its club: row-level security needs it first.
    scope_to_invitation_club(token_hash)
    return (
        Invitation.objects.filter(token_hash=token_hash)
        .select_related("club", "membership_type")
        .first()
    )

"""Reads of club data. Views reach a club only through ``access_club``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Court, Membership, Role


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
    club = get_club_or_404(slug)
    if not user.is_authenticated:
        raise PermissionDenied("sign in first")
    membership = (
        Membership.objects.filter(user=user, club=club).select_related("membership_type").first()
    )
    if membership is None or not membership.has_role(minimum):
        raise PermissionDenied("not allowed in this club")
    return ClubAccess(club=club, membership=membership)


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

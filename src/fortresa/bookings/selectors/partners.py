"""Finding partners for a booking among a club's members, without listing them all.

A club may have hundreds of members: the booking form offers the few people a member
has recently played with, and otherwise finds a partner from what the member types,
an email address or an exact full name. Nobody outside the club is ever found.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Membership

RECENT_PARTNERS = 8
# How far back to look for them: enough bookings for a few regular partners.
RECENT_BOOKINGS = 40


@dataclass(frozen=True)
class PartnerMatch:
    """What one typed line resolved to: exactly one member, or why not."""

    text: str
    member: User | None
    ambiguous: bool = False


def _club_members(club: Club) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.filter(club=club).values("user_id"), is_active=True
    )


def find_partner(club: Club, text: str) -> PartnerMatch:
    """The member of ``club`` whose email is ``text``, else whose full name is exactly
    ``text`` (case and surrounding spaces aside)."""
    wanted = " ".join(text.split())
    members = _club_members(club)
    if "@" in wanted:
        by_email = members.filter(email__iexact=wanted).first()
        if by_email is not None:
            return PartnerMatch(text=wanted, member=by_email)
    named = list(members.filter(full_name__iexact=wanted)[:2])
    if len(named) == 1:
        return PartnerMatch(text=wanted, member=named[0])
    return PartnerMatch(text=wanted, member=None, ambiguous=len(named) > 1)


def recent_partners(club: Club, user: User, *, limit: int = RECENT_PARTNERS) -> list[User]:
    """Members of ``club`` who played with ``user`` there, most recent booking first."""
    recent = list(
        Booking.objects.filter(club=club)
        .filter(Q(booked_by=user) | Q(partners=user))
        .order_by("-starts_at")
        .values_list("pk", "booked_by_id", "starts_at")
        .distinct()[:RECENT_BOOKINGS]
    )
    partners: dict[int, list[int]] = {}
    for booking_id, partner_id in Booking.partners.through.objects.filter(
        booking_id__in=[pk for pk, _booker, _start in recent]
    ).values_list("booking_id", "user_id"):
        partners.setdefault(booking_id, []).append(partner_id)
    ordered: list[int] = []
    for pk, booker_id, _start in recent:
        for other in (booker_id, *sorted(partners.get(pk, []))):
            if other != user.pk and other not in ordered:
                ordered.append(other)
    members = {member.pk: member for member in _club_members(club).filter(pk__in=ordered)}
    return [members[pk] for pk in ordered if pk in members][:limit]

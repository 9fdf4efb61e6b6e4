"""Reads of bookings seen from one person: theirs, those they partner in, those they manage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.cancellation import cancellation_by
from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import RULE_FIELDS, Booking, BookingRules, MembershipTypeRules
from fortresa.bookings.rules import EffectiveRules, rules_for_type
from fortresa.bookings.slots import time_label
from fortresa.clubs.models import Club, Membership, MembershipType, Role
from fortresa.clubs.selectors import membership_types_of

PAST_LIMIT = 50
FEED_HISTORY = dt.timedelta(days=90)


def bookings_involving(user: User) -> QuerySet[Booking]:
    """Bookings ``user`` made or was chosen as a partner in, in every club."""
    ids = Booking.objects.filter(Q(booked_by=user) | Q(partners=user)).values("pk")
    return (
        Booking.objects.filter(pk__in=ids)
        .select_related("club", "court", "booked_by")
        .prefetch_related("partners")
    )


@dataclass(frozen=True)
class BookingLine:
    """A booking as one person sees it: local times, and whether they may cancel it now."""

    booking: Booking
    local_start: dt.datetime
    local_end: dt.datetime
    start_label: str
    end_label: str
    mine: bool
    can_cancel: bool

    @property
    def partner_names(self) -> list[str]:
        return [str(partner) for partner in self.booking.partners.all()]


@dataclass(frozen=True)
class MyBookings:
    upcoming: list[BookingLine]
    past: list[BookingLine]


RulesCache = dict[tuple[int, int | None], EffectiveRules]


def _may_cancel(
    user: User, booking: Booking, membership: Membership | None, rules_cache: RulesCache
) -> bool:
    is_staff = membership is not None and membership.has_role(Role.STAFF)
    if booking.booked_by_id != user.pk and not is_staff:
        return False
    key = (booking.club_id, membership.membership_type_id if membership else None)
    if key not in rules_cache:
        rules_cache[key] = rules_for_type(
            booking.club, membership.membership_type if membership else None
        )
    try:
        cancellation_by(
            actor_id=user.pk,
            booking=booking,
            actor_is_staff=is_staff,
            deadline_hours=rules_cache[key].cancellation_deadline_hours,
            now=timezone.now(),
        )
    except BookingRuleError:
        return False
    return True


def booking_line(
    user: User,
    booking: Booking,
    memberships: dict[int, Membership],
    rules_cache: RulesCache | None = None,
) -> BookingLine:
    """``booking`` seen by ``user``, whose memberships are given keyed by club id."""
    tz = booking.club.tzinfo
    local_start = booking.starts_at.astimezone(tz)
    local_end = booking.ends_at.astimezone(tz)
    membership = memberships.get(booking.club_id)
    return BookingLine(
        booking=booking,
        local_start=local_start,
        local_end=local_end,
        start_label=time_label(local_start),
        end_label=time_label(local_end),
        mine=booking.booked_by_id == user.pk,
        can_cancel=_may_cancel(
            user, booking, membership, {} if rules_cache is None else rules_cache
        ),
    )


def memberships_by_club(user: User) -> dict[int, Membership]:
    return {
        m.club_id: m for m in Membership.objects.filter(user=user).select_related("membership_type")
    }


def my_bookings(user: User, now: dt.datetime | None = None) -> MyBookings:
    """Active bookings not yet over, and the most recent over or cancelled ones."""
    now = now or timezone.now()
    involving = bookings_involving(user)
    upcoming = involving.filter(status=Booking.Status.ACTIVE, ends_at__gt=now).order_by("starts_at")
    past = involving.filter(Q(status=Booking.Status.CANCELLED) | Q(ends_at__lte=now)).order_by(
        "-starts_at"
    )[:PAST_LIMIT]
    memberships = memberships_by_club(user)
    cache: RulesCache = {}
    return MyBookings(
        upcoming=[booking_line(user, b, memberships, cache) for b in upcoming],
        past=[booking_line(user, b, memberships, cache) for b in past],
    )


def feed_bookings(user: User, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """What a calendar feed carries: active bookings from the last 90 days on."""
    since = (now or timezone.now()) - FEED_HISTORY
    return (
        bookings_involving(user)
        .filter(status=Booking.Status.ACTIVE, ends_at__gt=since)
        .order_by("starts_at")
    )


def club_role(user: User, club_id: int) -> str | None:
    return (
        Membership.objects.filter(user=user, club_id=club_id).values_list("role", flat=True).first()
    )


def access_booking(user: User, booking_id: int) -> Booking:
    """The booking if ``user`` may see it (booker, partner, or club staff); else Http404."""
    booking = (
        Booking.objects.filter(pk=booking_id)
        .select_related("club", "court", "booked_by")
        .prefetch_related("partners")
        .first()
    )
    if booking is None:
        raise Http404("no such booking")
    if booking.booked_by_id == user.pk or any(p.pk == user.pk for p in booking.partners.all()):
        return booking
    role = club_role(user, booking.club_id)
    if role is not None and Membership(role=role).has_role(Role.STAFF):
        return booking
    raise Http404("no such booking")


@dataclass(frozen=True)
class RulesRows:
    """A club's stored rules and each membership type's overrides (unsaved when absent)."""

    club_rules: BookingRules
    effective: EffectiveRules
    type_rules: list[tuple[MembershipType, MembershipTypeRules]]


def rules_rows(club: Club) -> RulesRows:
    club_rules = BookingRules.objects.filter(club=club).first() or BookingRules(club=club)
    types = list(membership_types_of(club))
    stored = {
        row.membership_type_id: row
        for row in MembershipTypeRules.objects.filter(membership_type__club=club)
    }
    return RulesRows(
        club_rules=club_rules,
        effective=EffectiveRules().with_overrides(
            {name: getattr(club_rules, name) for name in RULE_FIELDS}
        ),
        type_rules=[(t, stored.get(t.pk) or MembershipTypeRules(membership_type=t)) for t in types],
    )

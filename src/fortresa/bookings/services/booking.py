"""Booking and cancelling courts, every club rule enforced with a message naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fortresa.accounts.models import User
from fortresa.bookings import tasks
from fortresa.bookings.cancellation import CancellationBy, cancellation_by
from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking
from fortresa.bookings.opening import claim_slot, fair_opening
from fortresa.bookings.rules import EffectiveRules, rules_for_type
from fortresa.bookings.services.holds import (
    amount_due_for,
    hold_minutes,
    release_expired_holds_overlapping,
)
from fortresa.bookings.slots import day_slots
from fortresa.clubs.models import Closure, Club, Court, Membership, OpeningHours, Role
from fortresa.core.audit import record_event

MAX_GUESTS = 7
MAX_GUEST_NAME = 100
MAX_NOTE = 200
OVERLAP_CONSTRAINT = "booking_no_overlap"


def _taken() -> BookingRuleError:
    return BookingRuleError("already_taken", _("This court is already taken at this time."))


def _check_duration(rules: EffectiveRules, minutes: int) -> None:
    if minutes <= 0 or minutes % rules.slot_minutes:
        raise BookingRuleError(
            "duration_not_multiple",
            _("Slot length: the duration must be a multiple of %(minutes)d minutes.")
            % {"minutes": rules.slot_minutes},
        )
    if minutes < rules.min_duration_minutes:
        raise BookingRuleError(
            "duration_too_short",
            _("Minimum duration: bookings last at least %(minutes)d minutes.")
            % {"minutes": rules.min_duration_minutes},
        )
    if minutes > rules.max_duration_minutes:
        raise BookingRuleError(
            "duration_too_long",
            _("Maximum duration: bookings last at most %(minutes)d minutes.")
            % {"minutes": rules.max_duration_minutes},
        )


def _check_window(club: Club, rules: EffectiveRules, start: dt.datetime, now: dt.datetime) -> None:
    if start <= now:
        raise BookingRuleError(
            "in_past", _("This time has passed: bookings must start in the future.")
        )
    today = now.astimezone(club.tzinfo).date()
    if start.astimezone(club.tzinfo).date() > today + dt.timedelta(days=rules.days_ahead):
        raise BookingRuleError(
            "too_far_ahead",
            ngettext(
                "Booking window: courts can be booked at most %(days)d day ahead.",
                "Booking window: courts can be booked at most %(days)d days ahead.",
                rules.days_ahead,
            )
            % {"days": rules.days_ahead},
        )


def _check_slot(
    club: Club, court: Court, rules: EffectiveRules, start: dt.datetime, end: dt.datetime
) -> None:
    local_day = start.astimezone(club.tzinfo).date()
    periods = [
        (row.opens_at, row.closes_at)
        for row in OpeningHours.objects.filter(court=court, weekday=local_day.weekday())
    ]
    slots = day_slots(local_day, periods, club.tzinfo, rules.slot_minutes)
    slot = next((s for s in slots if s.starts_at == start), None)
    if slot is None:
        if any(s.starts_at < start < s.ends_at for s in slots):
            raise BookingRuleError(
                "not_on_slot_grid",
                _("Slot grid: bookings start on the %(minutes)d-minute slots of the court.")
                % {"minutes": rules.slot_minutes},
            )
        raise BookingRuleError(
            "outside_opening_hours", _("Opening hours: the court is not open at this time.")
        )
    if end > slot.period_ends_at:
        raise BookingRuleError(
            "outside_opening_hours",
            _("Opening hours: the court closes before the end of this booking."),
        )
    closure = Closure.objects.filter(club=club, starts_at__lt=end, ends_at__gt=start).filter(
        Q(court__isnull=True) | Q(court=court)
    )
    first = closure.first()
    if first is not None:
        raise BookingRuleError(
            "closed",
            _("Closure: the court is closed at this time (%(reason)s).") % {"reason": first.reason},
        )


def _check_people(
    club: Club,
    actor: User,
    rules: EffectiveRules,
    partners: Sequence[User],
    guest_names: Sequence[str],
) -> None:
    partner_ids = [partner.pk for partner in partners]
    if actor.pk in partner_ids:
        raise BookingRuleError("partner_is_self", _("Partners: you cannot be your own partner."))
    if len(set(partner_ids)) != len(partner_ids):
        raise BookingRuleError(
            "partner_duplicate", _("Partners: each partner can be chosen only once.")
        )
    if len(partner_ids) != rules.partners_required:
        raise BookingRuleError(
            "partners_required",
            ngettext(
                "Partners required: choose exactly %(count)d partner.",
                "Partners required: choose exactly %(count)d partners.",
                rules.partners_required,
            )
            % {"count": rules.partners_required},
        )
    members = Membership.objects.filter(club=club, user_id__in=partner_ids).count()
    if members != len(partner_ids):
        raise BookingRuleError(
            "partner_not_member", _("Partners: every partner must be a member of this club.")
        )
    if guest_names and not rules.guests_allowed:
        raise BookingRuleError("guests_not_allowed", _("Guests: this club does not allow guests."))
    if len(guest_names) > MAX_GUESTS or any(len(name) > MAX_GUEST_NAME for name in guest_names):
        raise BookingRuleError(
            "guests_invalid",
            _("Guests: at most %(count)d guests, each name at most %(length)d characters.")
            % {"count": MAX_GUESTS, "length": MAX_GUEST_NAME},
        )


def _insert(booking: Booking, court: Court) -> None:
    # A hold whose payment time is up must not keep the slot from someone else.
    release_expired_holds_overlapping(
        court_id=court.pk, starts_at=booking.starts_at, ends_at=booking.ends_at, now=timezone.now()
    )
    if connection.vendor == "postgresql":
        # The exclusion constraint is the arbiter: concurrent inserts wait for each other
        # and all but one fail. The savepoint keeps the outer transaction usable.
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as exc:
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "constraint_name", None) == OVERLAP_CONSTRAINT:
                raise _taken() from exc
            raise
        return
    # SQLite: IMMEDIATE transactions serialise writers, so this check cannot race.
    overlapping = Booking.objects.filter(
        court=court,
        status=Booking.Status.ACTIVE,
        starts_at__lt=booking.ends_at,
        ends_at__gt=booking.starts_at,
    )
    if overlapping.exists():
        raise _taken()
    booking.save()


@fair_opening
def create_booking(
    *,
    actor: User,
    club: Club,
    court: Court,
    starts_at: dt.datetime,
    duration_minutes: int,
    partners: Sequence[User] = (),
    guest_names: Sequence[str] = (),
    note: str = "",
) -> Booking:
    """Book ``court`` for ``actor`` from ``starts_at`` (aware) for ``duration_minutes``.

    Enforces every rule of the actor's membership and raises BookingRuleError naming
    the first one broken. Partners are emailed once the booking is committed. A booking
    with court or guest fees is held for payment (``payment_due_by``); see ``holds``.
    """
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    guest_names = [name.strip() for name in guest_names if name.strip()]
    if len(note) > MAX_NOTE:
        raise BookingRuleError(
            "note_too_long",
            _("Note: at most %(length)d characters.") % {"length": MAX_NOTE},
        )
    with transaction.atomic():
        # Locking the member's own row serialises their bookings, so two requests at once
        # cannot both slip under the active-bookings limit.
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("membership_type")
            .filter(user=actor, club=club)
            .first()
        )
        if membership is None:
            raise BookingRuleError("not_member", _("Membership: only members can book here."))
        if court.club_id != club.pk or not court.is_active:
            raise BookingRuleError(
                "court_unavailable", _("Court: this court cannot be booked in this club.")
            )
        rules = rules_for_type(club, membership.membership_type)
        now = timezone.now()
        start = starts_at.astimezone(dt.UTC)
        _check_duration(rules, duration_minutes)
        end = start + dt.timedelta(minutes=duration_minutes)
        _check_window(club, rules, start, now)
        _check_slot(club, court, rules, start, end)
        _check_people(club, actor, rules, partners, guest_names)
        active = Booking.objects.filter(
            club=club, booked_by=actor, status=Booking.Status.ACTIVE, starts_at__gt=now
        ).count()
        if active >= rules.max_active_bookings:
            raise BookingRuleError(
                "max_active_bookings",
                ngettext(
                    "Active bookings: you may hold at most %(count)d upcoming booking here.",
                    "Active bookings: you may hold at most %(count)d upcoming bookings here.",
                    rules.max_active_bookings,
                )
                % {"count": rules.max_active_bookings},
            )
        claim_slot(club=club, rules=rules, start=start, now=now)
        amount_due = amount_due_for(rules, minutes=duration_minutes, guest_count=len(guest_names))
        booking = Booking(
            club=club,
            court=court,
            booked_by=actor,
            starts_at=start,
            ends_at=end,
            guest_names=guest_names,
            note=note,
            amount_due=amount_due,
            payment_due_by=now + dt.timedelta(minutes=hold_minutes()) if amount_due else None,
        )
        _insert(booking, court)
        booking.partners.set(partners)
        if partners:
            booking_id = booking.pk
            transaction.on_commit(lambda: tasks.notify_partners_booked.delay(booking_id))
    return booking


def cancel_booking(*, actor: User, booking: Booking, ip_address: str | None = None) -> Booking:
    """Cancel ``booking``: by its booker before the deadline, or by club staff until it ends.

    Partners (and the booker, when staff cancel) are emailed once it is committed.
    """
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        role = Membership.objects.filter(user=actor, club_id=locked.club_id).values_list(
            "role", flat=True
        )
        actor_role = role.first()
        is_staff = actor_role is not None and Membership(role=actor_role).has_role(Role.STAFF)
        booker_type = (
            Membership.objects.filter(user_id=locked.booked_by_id, club_id=locked.club_id)
            .select_related("membership_type")
            .first()
        )
        rules = rules_for_type(locked.club, booker_type.membership_type if booker_type else None)
        now = timezone.now()
        by = cancellation_by(
            actor_id=actor.pk,
            booking=locked,
            actor_is_staff=is_staff,
            deadline_hours=rules.cancellation_deadline_hours,
            now=now,
        )
        locked.status = Booking.Status.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = actor
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        if by is CancellationBy.STAFF:
            record_event(
                action="booking.cancelled_by_staff",
                actor=actor,
                club_id=locked.club_id,
                target=f"booking:{locked.pk}",
                ip_address=ip_address,
                details={
                    "court": locked.court_id,
                    "starts_at": locked.starts_at.isoformat(),
                    "booked_by": locked.booked_by_id,
                },
            )
        booking_id = locked.pk
        transaction.on_commit(lambda: tasks.notify_booking_cancelled.delay(booking_id))
    return locked

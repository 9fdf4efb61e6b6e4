"""Booking tickets: bought in packs, spent on held bookings instead of paying money."""

from __future__ import annotations

import math

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.bookings.rules import rules_for_type
from fortresa.bookings.services import confirm_booking_payment
from fortresa.clubs.models import Club, Membership
from fortresa.core.audit import record_event
from fortresa.payments.models import TicketEntry
from fortresa.payments.services.checkout import PaymentError


def ticket_balance(*, user: User, club: Club) -> int:
    total = TicketEntry.objects.filter(user=user, club=club).aggregate(total=Sum("change"))
    return int(total["total"] or 0)


def tickets_needed(booking: Booking) -> int:
    """One ticket per started hour of court fee, plus one per guest with a guest fee."""
    membership = (
        Membership.objects.filter(user_id=booking.booked_by_id, club_id=booking.club_id)
        .select_related("membership_type")
        .first()
    )
    rules = rules_for_type(booking.club, membership.membership_type if membership else None)
    minutes = (booking.ends_at - booking.starts_at).total_seconds() / 60
    hours = math.ceil(minutes / 60) if rules.court_fee > 0 else 0
    guests = len(booking.guest_names) if rules.guest_fee > 0 else 0
    return hours + guests


def pay_booking_with_tickets(*, actor: User, booking: Booking) -> Booking:
    """Spend the actor's tickets on ``booking``'s fees; the hold ends."""
    if booking.booked_by_id != actor.pk or not booking.awaiting_payment:
        raise PaymentError("not_due", _("Nothing is due on this booking."))
    needed = tickets_needed(booking)
    with transaction.atomic():
        # The member's row serialises their spending, so two tabs cannot spend one ticket.
        Membership.objects.select_for_update().filter(user=actor, club_id=booking.club_id).first()
        balance = ticket_balance(user=actor, club=booking.club)
        if needed <= 0 or balance < needed:
            raise PaymentError(
                "not_enough_tickets",
                _("You need %(needed)d tickets and have %(balance)d.")
                % {"needed": needed, "balance": balance},
            )
        TicketEntry.objects.create(club=booking.club, user=actor, change=-needed, booking=booking)
        confirmed = confirm_booking_payment(actor=actor, booking=booking)
        record_event(
            action="payment.tickets_spent",
            actor=actor,
            club_id=booking.club_id,
            target=f"booking:{booking.pk}",
            details={"tickets": needed},
        )
    return confirmed

"""Reads of the payments app; views reach payments only through these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Membership, Role
from fortresa.clubs.selectors import access_club
from fortresa.payments.models import (
    ClubGateway,
    MembershipFee,
    MembershipFeePayment,
    Payment,
    TicketPack,
)
from fortresa.payments.providers import PROVIDERS


def access_own_payment(user: User, reference: str) -> Payment:
    """The signed-in member's own payment; 404 for anyone else's or an unknown one."""
    return get_object_or_404(
        Payment.objects.select_related("club", "booking", "ticket_pack"),
        reference=reference,
        payer=user,
    )


def access_own_held_booking(user: User, booking_id: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("club", "court"), pk=booking_id, booked_by=user
    )


def access_club_payment(user: User, slug: str, reference: str) -> Payment:
    """A payment of a club the user administers (staff and above)."""
    club = access_club(user, slug, Role.STAFF).club
    return get_object_or_404(Payment.objects.select_related("club"), club=club, reference=reference)


def notification_club(slug: str) -> Club:
    """The club a gateway notification is addressed to (no user: the signature decides)."""
    return get_object_or_404(Club, slug=slug)


def payments_of(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(payer=user).select_related("club").order_by("-created_at")


def club_payments(club: Club, limit: int = 200) -> list[Payment]:
    return list(
        Payment.objects.filter(club=club).select_related("payer").order_by("-created_at")[:limit]
    )


def ticket_packs_of(club: Club) -> QuerySet[TicketPack]:
    return TicketPack.objects.filter(club=club, active=True).order_by("tickets")


def ticket_pack_in(club: Club, pack_id: int) -> TicketPack:
    return get_object_or_404(TicketPack, club=club, pk=pack_id, active=True)


def membership_fee_for(club: Club, membership_type_id: int | None) -> MembershipFee | None:
    """The club's price for a membership type; None when the type has none (or no type)."""
    if membership_type_id is None:
        return None
    return MembershipFee.objects.filter(club=club, membership_type_id=membership_type_id).first()


def fee_paid_for(membership: Membership, period_label: str) -> MembershipFeePayment | None:
    """The fee record covering ``membership`` for ``period_label``, if its payment still
    stands (paid, or only partly refunded); a fully refunded fee is due again."""
    return (
        MembershipFeePayment.objects.filter(
            membership=membership,
            period_label=period_label,
            payment__state__in=(Payment.State.PAID, Payment.State.PARTIALLY_REFUNDED),
        )
        .select_related("payment")
        .first()
    )


def gateway_of(club: Club) -> ClubGateway | None:
    return ClubGateway.objects.filter(club=club).first()


def require_gateway(club: Club) -> ClubGateway:
    gateway = ClubGateway.objects.filter(club=club, enabled=True).first()
    if gateway is None:
        raise PermissionDenied("no payment gateway")
    return gateway


def active_gateway_origins() -> list[str]:
    """Origins the browser may be sent to for the gateways clubs have enabled now.

    Only providers' published origins (sandbox or live, as configured) count; a custom
    address (the simulators) is our own origin and needs nothing more.
    """
    origins: set[str] = set()
    for provider, live in (
        ClubGateway.objects.filter(enabled=True).values_list("provider", "live").distinct()
    ):
        cls = PROVIDERS.get(provider)
        if cls is not None:
            origins.update(cls.live_origins if live else cls.sandbox_origins)
    return sorted(origins)

"""Booking tickets: a pack bought on the tickets page through each simulator, then spent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Role
from fortresa.core.models import AuditEvent
from fortresa.payments.models import Payment, TicketEntry, TicketPack
from fortresa.payments.services import ticket_balance
from fortresa.payments.simulators.server import RunningSimulators
from tests.factories import make_membership, make_user, sign_in
from tests.payments.conftest import (
    checkout_from,
    deliver_all,
    held_booking,
    member_at_gateway,
    return_to_site,
)


@pytest.fixture
def pack(pay_club: Club) -> TicketPack:
    return TicketPack.objects.create(club=pay_club, name="Ten", tickets=10, price=Decimal("90"))


def _tickets_url(club: Club) -> str:
    return f"/c/{club.slug}/tickets/"


def _buy(client: Client, club: Club, pack: TicketPack, decision: str = "approve") -> str:
    checkout = checkout_from(client.post(_tickets_url(club), {"pack": str(pack.pk)}))
    return return_to_site(client, member_at_gateway(checkout, decision=decision))


def test_member_buys_a_pack_then_spends_tickets_on_a_held_booking(
    pay_club: Club,
    payer: User,
    payer_client: Client,
    pack: TicketPack,
    simulators: RunningSimulators,
) -> None:
    page = _buy(payer_client, pay_club, pack)
    deliver_all(payer_client, simulators)
    bought = payer_client.get(_tickets_url(pay_club)).content.decode()
    booking = held_booking(pay_club, payer, guests=2)

    response = payer_client.post(f"/payments/booking/{booking.pk}/", {"method": "tickets"})

    payment = Payment.objects.get(payer=payer)
    booking.refresh_from_db()
    assert "Payment received" in page
    assert (payment.purpose, payment.state, payment.amount) == (
        Payment.Purpose.TICKETS,
        Payment.State.PAID,
        Decimal("90.00"),
    )
    assert TicketEntry.objects.filter(payment=payment, change=10).count() == 1
    assert "Your balance: 10 tickets." in bought
    assert (response.status_code, response["Location"]) == (302, "/bookings/mine/")
    assert not booking.awaiting_payment
    assert ticket_balance(user=payer, club=pay_club) == 8
    assert AuditEvent.objects.filter(
        action="payment.tickets_spent", target=f"booking:{booking.pk}"
    ).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_declined_pack_credits_no_tickets(
    pay_club: Club,
    payer: User,
    payer_client: Client,
    pack: TicketPack,
    simulators: RunningSimulators,
) -> None:
    page = _buy(payer_client, pay_club, pack, decision="decline")
    deliver_all(payer_client, simulators)

    assert "The payment did not go through: nothing was charged." in page
    assert Payment.objects.get(payer=payer).state == Payment.State.FAILED
    assert ticket_balance(user=payer, club=pay_club) == 0


@pytest.mark.parametrize("provider", ["stripe"])
def test_tickets_are_spent_once_and_the_rest_is_refused(
    pay_club: Club,
    payer: User,
    payer_client: Client,
    simulators: RunningSimulators,
) -> None:
    small = TicketPack.objects.create(club=pay_club, name="Two", tickets=2, price=Decimal("20"))
    _buy(payer_client, pay_club, small)
    first = held_booking(pay_club, payer, guests=2, hour=10)
    second = held_booking(pay_club, payer, guests=1, hour=12)

    spent = payer_client.post(f"/payments/booking/{first.pk}/", {"method": "tickets"})
    refused = payer_client.post(f"/payments/booking/{second.pk}/", {"method": "tickets"})

    second.refresh_from_db()
    assert spent.status_code == 302
    assert refused.status_code == 200
    assert "You need 1 tickets and have 0." in refused.content.decode()
    assert second.awaiting_payment
    assert ticket_balance(user=payer, club=pay_club) == 0


@pytest.mark.parametrize("provider", ["stripe"])
def test_someone_who_is_not_a_member_cannot_buy_tickets(pay_club: Club, pack: TicketPack) -> None:
    outsider = make_user()
    client = sign_in(Client(), outsider)

    response = client.post(_tickets_url(pay_club), {"pack": str(pack.pk)})

    assert response.status_code == 403
    assert not Payment.objects.filter(payer=outsider).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_pack_no_longer_on_sale_is_not_offered(
    pay_club: Club, payer: User, payer_client: Client, pack: TicketPack
) -> None:
    pack.active = False
    pack.save()

    response = payer_client.post(_tickets_url(pay_club), {"pack": str(pack.pk)})

    assert response.status_code == 200
    assert "This club sells no ticket packs." in response.content.decode()
    assert not Payment.objects.filter(payer=payer).exists()


def _refund_as_admin(club: Club, payment: Payment, amount: str) -> int:
    admin = sign_in(Client(), make_membership(club, role=Role.ADMIN).user)
    url = f"/c/{club.slug}/manage/payments/{payment.reference}/refund/"
    return admin.post(url, {"amount": amount}).status_code


@pytest.mark.parametrize("provider", ["paybox"])
def test_pack_refunded_in_full_takes_back_its_unspent_tickets(
    pay_club: Club, payer: User, payer_client: Client, pack: TicketPack
) -> None:
    _buy(payer_client, pay_club, pack)
    booking = held_booking(pay_club, payer, guests=2)
    payer_client.post(f"/payments/booking/{booking.pk}/", {"method": "tickets"})
    payment = Payment.objects.get(payer=payer)

    status = _refund_as_admin(pay_club, payment, "90.00")

    booking.refresh_from_db()
    assert status == 302
    assert ticket_balance(user=payer, club=pay_club) == 0
    assert not booking.awaiting_payment  # the two spent stay spent
    withdrawn = AuditEvent.objects.get(
        action="payment.tickets_withdrawn", target=f"payment:{payment.reference}"
    )
    assert withdrawn.details["tickets"] == 8


@pytest.mark.parametrize("provider", ["stripe"])
def test_pack_refunded_in_part_keeps_its_tickets(
    pay_club: Club, payer: User, payer_client: Client, pack: TicketPack
) -> None:
    _buy(payer_client, pay_club, pack)
    payment = Payment.objects.get(payer=payer)

    admin = sign_in(Client(), make_membership(pay_club, role=Role.ADMIN).user)
    page = admin.get(f"/c/{pay_club.slug}/manage/payments/{payment.reference}/refund/")

    status = _refund_as_admin(pay_club, payment, "30.00")

    assert "A full refund takes back the tickets of this pack" in page.content.decode()
    assert status == 302
    assert ticket_balance(user=payer, club=pay_club) == 10

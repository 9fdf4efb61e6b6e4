"""Sealed credentials, the provider registry, CSP origins, tickets, and the pages' answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from fortresa.clubs.models import Club
from fortresa.payments.credentials import CredentialsUnreadable, open_credentials
from fortresa.payments.models import ClubGateway, Payment, TicketPack
from fortresa.payments.origins import GATEWAY_ORIGINS, gateway_origins
from fortresa.payments.providers import PROVIDERS
from fortresa.payments.selectors import active_gateway_origins
from fortresa.payments.services import (
    PaymentError,
    begin_checkout,
    configure_gateway,
    create_ticket_payment,
    pay_booking_with_tickets,
    ticket_balance,
)
from tests.factories import make_club, sign_in
from tests.payments.conftest import held_booking, member_at_gateway, urls_for


@pytest.mark.smoke
@pytest.mark.django_db
def test_gateway_credentials_are_stored_sealed() -> None:
    club = make_club()

    configure_gateway(
        actor=None,
        club=club,
        provider="stripe",
        credentials={
            "secret_key": "sk_test_abcdef123456",  # pragma: allowlist secret
            "webhook_secret": "whsec_zyx987",  # pragma: allowlist secret
        },  # pragma: allowlist secret
    )

    blob = bytes(ClubGateway.objects.get(club=club).credentials)
    assert b"sk_test_abcdef123456" not in blob
    assert open_credentials(blob, club_id=club.pk)["secret_key"] == "sk_test_abcdef123456"


@pytest.mark.smoke
@pytest.mark.django_db
def test_sealed_credentials_do_not_open_for_another_club() -> None:
    club = make_club()
    configure_gateway(
        actor=None,
        club=club,
        provider="stripe",
        credentials={"secret_key": "sk_test_1234567"},  # pragma: allowlist secret
    )
    blob = bytes(ClubGateway.objects.get(club=club).credentials)

    with pytest.raises(CredentialsUnreadable):
        open_credentials(blob, club_id=club.pk + 1)


@pytest.mark.smoke
@pytest.mark.django_db
def test_blank_credential_keeps_the_stored_secret() -> None:
    club = make_club()
    configure_gateway(
        actor=None,
        club=club,
        provider="stripe",
        credentials={"secret_key": "sk_test_first1"},  # pragma: allowlist secret
    )

    configure_gateway(
        actor=None,
        club=club,
        provider="stripe",
        credentials={"secret_key": "", "webhook_secret": "whsec_new"},  # pragma: allowlist secret
    )

    opened = open_credentials(
        bytes(ClubGateway.objects.get(club=club).credentials), club_id=club.pk
    )
    assert opened == {
        "secret_key": "sk_test_first1",  # pragma: allowlist secret
        "webhook_secret": "whsec_new",  # pragma: allowlist secret
    }  # pragma: allowlist secret


def test_registry_knows_the_three_gateways() -> None:
    assert sorted(PROVIDERS) == ["paybox", "paypal", "stripe"]


def test_csp_origin_table_matches_the_providers() -> None:
    for identifier, cls in PROVIDERS.items():
        assert GATEWAY_ORIGINS[identifier]["sandbox"] == cls.sandbox_origins
        assert GATEWAY_ORIGINS[identifier]["live"] == cls.live_origins


def test_gateway_origins_for_live_paybox_and_stripe() -> None:
    assert gateway_origins(["paybox", "stripe"], live=True) == [
        "https://tpeweb.paybox.com",
        "https://tpeweb1.paybox.com",
        "https://checkout.stripe.com",
    ]


@pytest.mark.django_db
def test_active_gateway_origins_follow_the_clubs_choices() -> None:
    configure_gateway(actor=None, club=make_club(), provider="paypal", credentials={}, live=True)
    configure_gateway(
        actor=None, club=make_club(), provider="stripe", credentials={}, enabled=False
    )

    assert active_gateway_origins() == ["https://www.paypal.com"]


def test_bought_tickets_pay_a_held_booking(pay_club: Club, payer, payer_client: Client) -> None:  # type: ignore[no-untyped-def]
    pack = TicketPack.objects.create(club=pay_club, name="Ten", tickets=10, price=Decimal("90"))
    payment = create_ticket_payment(actor=payer, pack=pack)
    checkout = begin_checkout(actor=payer, payment=payment, urls=urls_for)
    payer_client.get(member_at_gateway(checkout).replace("http://testserver", ""))
    booking = held_booking(pay_club, payer, guests=2)

    pay_booking_with_tickets(actor=payer, booking=booking)

    booking.refresh_from_db()
    payment.refresh_from_db()
    assert payment.state == Payment.State.PAID
    assert not booking.awaiting_payment
    assert ticket_balance(user=payer, club=pay_club) == 8


@pytest.mark.parametrize("provider", ["stripe"])
def test_too_few_tickets_leave_the_booking_held(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    booking = held_booking(pay_club, payer)

    with pytest.raises(PaymentError, match="You need 1 tickets and have 0"):
        pay_booking_with_tickets(actor=payer, booking=booking)

    booking.refresh_from_db()
    assert booking.awaiting_payment


@pytest.mark.parametrize("provider", ["stripe"])
def test_someone_elses_booking_payment_page_is_404(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_membership

    other = Client()
    sign_in(other, make_membership(pay_club).user)
    booking = held_booking(pay_club, payer)

    assert other.get(f"/payments/booking/{booking.pk}/").status_code == 404


@pytest.mark.parametrize("provider", ["stripe"])
def test_notification_endpoint_refuses_get(pay_club: Club, payer_client: Client) -> None:
    assert payer_client.get(f"/payments/notify/stripe/{pay_club.slug}/").status_code == 405


@pytest.mark.parametrize("provider", ["stripe"])
def test_notification_for_an_unknown_gateway_is_404(pay_club: Client, payer_client: Client) -> None:
    response = payer_client.post(
        f"/payments/notify/bitcoin/{pay_club.slug}/", data=b"{}", content_type="application/json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize("provider", ["stripe"])
def test_pay_page_shows_the_amount_due(pay_club: Club, payer, payer_client: Client) -> None:  # type: ignore[no-untyped-def]
    booking = held_booking(pay_club, payer)

    page = payer_client.get(f"/payments/booking/{booking.pk}/").content.decode()

    assert "Amount due: 12.50 EUR" in page


@pytest.mark.django_db
def test_club_rules_form_without_a_court_fee_charges_nothing() -> None:
    from fortresa.bookings.forms import ClubRulesForm

    data = {
        "days_ahead": "7",
        "max_active_bookings": "3",
        "slot_minutes": "60",
        "min_duration_minutes": "60",
        "max_duration_minutes": "120",
        "partners_required": "1",
        "guests_allowed": "on",
        "guest_fee": "0.00",
        "cancellation_deadline_hours": "2",
    }

    form = ClubRulesForm(data)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["court_fee"] == Decimal("0.00")


@pytest.mark.django_db
def test_court_fee_is_charged_per_hour_with_the_guest_fees() -> None:
    from fortresa.bookings.rules import EffectiveRules
    from fortresa.bookings.services.holds import amount_due_for

    rules = EffectiveRules(court_fee=Decimal("8.00"), guest_fee=Decimal("5.00"))

    assert amount_due_for(rules, minutes=90, guest_count=2) == Decimal("22.00")

"""Declined payments at each gateway's simulator: failed, said so, nothing paid."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
from django.test import Client

from fortresa.clubs.models import Club
from fortresa.payments.models import Payment
from fortresa.payments.providers.base import GatewayRefused
from fortresa.payments.services import provider_for
from fortresa.payments.services.settlement import payment_ref
from fortresa.payments.simulators.server import RunningSimulators
from tests.payments.conftest import (
    Started,
    browser_request,
    deliver_all,
    member_at_gateway,
    return_to_site,
    start_booking_payment,
)


def _decide_on_page(started: Started, decision: str) -> tuple[int, str, str, str]:
    """The member opens the gateway's page and presses one button; returns the answer
    and the address of the page's form."""
    status, _location, page = browser_request("GET", started.checkout.url)
    assert status == 200, page
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    status, location, answer = browser_request("POST", action, urlencode({"decision": decision}))
    return status, location, answer, action


@pytest.mark.parametrize("provider", ["stripe"])
def test_stripe_page_tells_the_member_of_a_decline_and_keeps_them_there(
    pay_club: Club,
    payer,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)

    status, location, page, _action = _decide_on_page(started, "decline")

    outbox = simulators.store.take_outbox()
    assert (status, location) == (200, "")
    assert '<p role="alert" id="sim-declined">' in page
    assert "Your card was declined." in page
    assert [item.meta["event_type"] for item in outbox] == ["payment_intent.payment_failed"]


@pytest.mark.parametrize("provider", ["stripe"])
def test_stripe_decline_notification_leaves_the_payment_open_while_the_member_may_retry(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    _decide_on_page(started, "decline")

    statuses = deliver_all(payer_client, simulators)

    started.payment.refresh_from_db()
    assert statuses == [200]
    assert started.payment.state == Payment.State.PENDING


@pytest.mark.parametrize("provider", ["stripe"])
def test_stripe_decline_then_going_back_fails_the_payment_with_the_decline_code(
    pay_club: Club,
    payer,
    payer_client: Client,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    _status, _location, _page, action = _decide_on_page(started, "decline")
    _status, location, _page = browser_request("POST", action, "decision=cancel")

    page = return_to_site(payer_client, location)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert started.payment.state == Payment.State.FAILED
    assert started.payment.failure_reason == "declined: generic_decline"
    assert "The payment did not go through: nothing was charged." in page
    assert started.booking.awaiting_payment


@pytest.mark.parametrize("provider", ["stripe"])
def test_stripe_member_who_pays_after_a_decline_is_paid(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    _status, _location, _page, action = _decide_on_page(started, "decline")
    _status, location, _page = browser_request("POST", action, "decision=cancel")
    return_to_site(payer_client, location)

    # Back to Stripe's page (still open), another card, approved.
    status, location, _page = browser_request("POST", action, "decision=approve")
    page = return_to_site(payer_client, location)
    deliver_all(payer_client, simulators)

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert status == 303
    assert started.payment.state == Payment.State.PAID
    assert "Payment received" in page
    assert not started.booking.awaiting_payment


def test_declined_payment_cannot_be_refunded_at_the_gateway(
    pay_club: Club,
    payer,
    payer_client: Client,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    return_to_site(payer_client, member_at_gateway(started.checkout, decision="decline"))
    started.payment.refresh_from_db()

    with pytest.raises(GatewayRefused):
        provider_for(pay_club.payment_gateway).refund(payment_ref(started.payment), Decimal("1.00"))

    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.FAILED

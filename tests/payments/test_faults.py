"""Forged, tampered, replayed, unknown and late notifications; gateways that do not answer."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client

from fortresa.clubs.models import Club
from fortresa.core.models import AuditEvent
from fortresa.detection.models import Alert
from fortresa.payments.models import ClubGateway, Payment
from fortresa.payments.providers.base import CheckoutRequest
from fortresa.payments.services import provider_for
from fortresa.payments.simulators.server import RunningSimulators
from fortresa.payments.simulators.store import Outgoing
from tests.payments.conftest import (
    browser_request,
    deliver,
    deliver_all,
    member_at_gateway,
    notify_url,
    start_booking_payment,
)


def _paid_notification(started, simulators: RunningSimulators) -> Outgoing:  # type: ignore[no-untyped-def]
    member_at_gateway(started.checkout)
    items = simulators.store.take_outbox()
    assert items
    return items[-1]


def _tampered(item: Outgoing) -> Outgoing:
    if item.meta.get("provider") == "paybox":
        body = item.body.replace(b"Mt=", b"Mt=1", 1)
    else:
        event = json.loads(item.body)
        event["resource" if "resource" in event else "data"]["tampered"] = True
        body = json.dumps(event).encode()
    return replace(item, body=body)


def _unsigned(item: Outgoing) -> Outgoing:
    if item.meta.get("provider") == "paybox":
        return replace(item, body=item.body.split(b"&Sign=")[0])
    headers = {
        k: v
        for k, v in item.headers.items()
        if not k.upper().startswith("PAYPAL-") and k != "Stripe-Signature"
    }
    return replace(item, headers=headers)


def test_tampered_notification_is_rejected_and_raised_as_an_alert(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    item = _paid_notification(started, simulators)

    status = deliver(payer_client, _tampered(item))

    started.payment.refresh_from_db()
    assert status == 400
    assert started.payment.state == Payment.State.PENDING
    assert Alert.objects.filter(kind="payment_bad_signature", source="payments").exists()
    assert AuditEvent.objects.filter(
        action="payment.suspicious", details__code="bad_signature"
    ).exists()


def test_unsigned_notification_is_rejected(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    item = _paid_notification(started, simulators)

    status = deliver(payer_client, _unsigned(item))

    started.payment.refresh_from_db()
    assert status == 400
    assert started.payment.state == Payment.State.PENDING
    assert Alert.objects.filter(kind="payment_missing_signature").exists()


def test_replayed_notification_changes_nothing_and_is_reported(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    item = _paid_notification(started, simulators)
    first = deliver(payer_client, item)
    events_before = AuditEvent.objects.filter(action__startswith="payment.paid").count()

    second = deliver(payer_client, item)

    assert (first, second) == (200, 200)
    assert AuditEvent.objects.filter(action__startswith="payment.paid").count() == events_before
    assert Alert.objects.filter(kind="payment_replay").exists()


def test_notification_for_an_unknown_reference_is_404_and_reported(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    # A payment made at the club's gateway account that is not one of ours.
    provider = provider_for(ClubGateway.objects.get(club=pay_club))
    checkout = provider.start_checkout(
        CheckoutRequest(
            reference="00000000-0000-4000-8000-000000000000",
            amount=Decimal("9.00"),
            currency="EUR",
            description="not ours",
            payer_email="someone@example.test",
            return_url="http://testserver/elsewhere/",
            cancel_url="http://testserver/elsewhere/",
            notify_url=notify_url(provider.identifier, pay_club),
        )
    )
    member_at_gateway(checkout)

    statuses = deliver_all(payer_client, simulators)

    assert 404 in statuses
    assert Alert.objects.filter(kind="payment_unknown_reference").exists()
    assert not Payment.objects.filter(state=Payment.State.PAID).exists()


def test_gateway_amount_different_from_ours_fails_the_payment(
    pay_club: Club,
    payer,
    payer_client: Client,
    simulators: RunningSimulators,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    # Our record says less than the gateway collected: as if the amount had been altered.
    Payment.objects.filter(pk=started.payment.pk).update(amount=started.payment.amount - 1)
    location = member_at_gateway(started.checkout)

    payer_client.get(location.replace("http://testserver", ""))

    started.payment.refresh_from_db()
    started.booking.refresh_from_db()
    assert started.payment.state == Payment.State.FAILED
    assert started.payment.failure_reason == "amount_mismatch"
    assert started.booking.awaiting_payment
    assert Alert.objects.filter(kind="payment_amount_mismatch").exists()


def test_gateway_currency_different_from_ours_fails_the_payment(
    pay_club: Club,
    payer,
    payer_client: Client,  # type: ignore[no-untyped-def]
) -> None:
    started = start_booking_payment(pay_club, payer)
    Payment.objects.filter(pk=started.payment.pk).update(currency="SEK")
    location = member_at_gateway(started.checkout)

    payer_client.get(location.replace("http://testserver", ""))

    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.FAILED
    assert started.payment.failure_reason == "currency_mismatch"
    assert Alert.objects.filter(kind="payment_currency_mismatch").exists()


@pytest.mark.parametrize("provider", ["paybox"])
def test_paybox_page_refuses_a_form_with_an_altered_amount(pay_club: Club, payer) -> None:  # type: ignore[no-untyped-def]
    started = start_booking_payment(pay_club, payer)
    fields = [
        (name, "1" if name == "PBX_TOTAL" else value)
        for name, value in started.checkout.form_fields
    ]

    status, _location, page = browser_request("POST", started.checkout.url, urlencode(fields))

    assert status == 400
    assert "signature is wrong" in page

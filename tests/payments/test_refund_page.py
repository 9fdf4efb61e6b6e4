"""The club admin's refund page: full and partial refunds through each simulator, refusals."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Role
from fortresa.core.models import AuditEvent
from fortresa.payments.models import Payment
from fortresa.payments.services import provider_for
from fortresa.payments.services.settlement import payment_ref
from fortresa.payments.simulators.server import RunningSimulators
from tests.factories import make_membership, sign_in
from tests.payments.conftest import (
    GUEST_FEE,
    gateway_club,
    member_at_gateway,
    return_to_site,
    start_booking_payment,
)


@pytest.fixture
def admin(pay_club: Club) -> User:
    return make_membership(pay_club, role=Role.ADMIN).user


@pytest.fixture
def admin_client(admin: User) -> Client:
    return sign_in(Client(), admin)


@pytest.fixture
def paid(pay_club: Club, payer: User, payer_client: Client) -> Payment:
    started = start_booking_payment(pay_club, payer)
    return_to_site(payer_client, member_at_gateway(started.checkout))
    started.payment.refresh_from_db()
    assert started.payment.state == Payment.State.PAID
    return started.payment


def _url(payment: Payment, slug: str = "") -> str:
    return f"/c/{slug or payment.club.slug}/manage/payments/{payment.reference}/refund/"


def _refund_events(payment: Payment) -> int:
    return AuditEvent.objects.filter(
        action="payment.refund_requested", target=f"payment:{payment.reference}"
    ).count()


def test_full_refund_through_the_gateway_marks_the_payment_refunded(
    admin: User, admin_client: Client, paid: Payment
) -> None:
    response = admin_client.post(_url(paid), {"amount": str(GUEST_FEE)})

    paid.refresh_from_db()
    listing = admin_client.get(response["Location"]).content.decode()
    assert response.status_code == 302
    assert (paid.state, paid.refunded_amount) == (Payment.State.REFUNDED, GUEST_FEE)
    assert "Refund sent to the payment service." in listing
    requested = AuditEvent.objects.get(
        action="payment.refund_requested", target=f"payment:{paid.reference}"
    )
    assert (requested.actor_id, requested.details["amount"]) == (admin.pk, str(GUEST_FEE))
    assert AuditEvent.objects.filter(
        action="payment.refunded", target=f"payment:{paid.reference}", actor_id=admin.pk
    ).exists()


def test_partial_refunds_add_up_to_a_full_refund(admin_client: Client, paid: Payment) -> None:
    first = admin_client.post(_url(paid), {"amount": "5.00"})
    paid.refresh_from_db()
    after_first = (paid.state, paid.refunded_amount)
    page = admin_client.get(_url(paid)).content.decode()
    second = admin_client.post(_url(paid), {"amount": "7.50"})

    paid.refresh_from_db()
    assert (first.status_code, second.status_code) == (302, 302)
    assert after_first == (Payment.State.PARTIALLY_REFUNDED, Decimal("5.00"))
    assert 'value="7.50"' in page
    assert (paid.state, paid.refunded_amount) == (Payment.State.REFUNDED, GUEST_FEE)
    assert AuditEvent.objects.filter(
        action="payment.partially_refunded", target=f"payment:{paid.reference}"
    ).exists()
    assert _refund_events(paid) == 2


@pytest.mark.parametrize("provider", ["stripe"])
def test_refund_above_what_is_left_is_refused_with_the_error_on_the_field(
    admin_client: Client, paid: Payment
) -> None:
    response = admin_client.post(_url(paid), {"amount": "12.51"})

    page = response.content.decode()
    paid.refresh_from_db()
    field = re.search(r"<input [^>]*name=\"amount\"[^>]*>", page)
    assert response.status_code == 400
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in field.group(0)
    assert '<p class="error" id="id_amount_error">At most 12.50 can still be refunded.</p>' in page
    assert 'role="alert"' in page
    assert (paid.state, paid.refunded_amount) == (Payment.State.PAID, Decimal("0"))
    assert _refund_events(paid) == 0


@pytest.mark.parametrize("provider", ["stripe"])
def test_refund_page_labels_its_field_and_describes_the_limit(
    admin_client: Client, paid: Payment
) -> None:
    page = admin_client.get(_url(paid)).content.decode()

    field = re.search(r"<input [^>]*name=\"amount\"[^>]*>", page)
    assert '<label for="id_amount">Amount to refund:</label>' in page
    assert field is not None
    assert 'id="id_amount"' in field.group(0)
    assert 'aria-describedby="id_amount_helptext"' in field.group(0)
    assert 'id="id_amount_helptext">In EUR; at most 12.50, what is left' in page


@pytest.mark.parametrize("provider", ["stripe"])
def test_unpaid_payment_cannot_be_refunded(
    admin_client: Client, pay_club: Club, payer: User
) -> None:
    pending = start_booking_payment(pay_club, payer).payment

    page = admin_client.get(_url(pending)).content.decode()
    response = admin_client.post(_url(pending), {"amount": "1.00"})

    pending.refresh_from_db()
    assert "This payment cannot be refunded: nothing paid is left on it" in page
    assert 'name="amount"' not in page
    assert response.status_code == 409
    assert pending.state == Payment.State.PENDING
    assert _refund_events(pending) == 0


@pytest.mark.parametrize("provider", ["stripe"])
def test_fully_refunded_payment_cannot_be_refunded_again(
    admin_client: Client, paid: Payment
) -> None:
    admin_client.post(_url(paid), {"amount": str(GUEST_FEE)})

    response = admin_client.post(_url(paid), {"amount": "1.00"})

    paid.refresh_from_db()
    assert response.status_code == 409
    assert paid.refunded_amount == GUEST_FEE
    assert _refund_events(paid) == 1


@pytest.mark.parametrize("provider", ["stripe"])
def test_another_clubs_payment_is_not_found(
    admin_client: Client, simulators: RunningSimulators
) -> None:
    other_club = gateway_club(simulators, "stripe")
    other_payer = make_membership(other_club).user
    foreign = start_booking_payment(other_club, other_payer).payment
    own_slug = admin_client.get("/").wsgi_request.user.memberships.get().club.slug

    under_own_club = admin_client.post(_url(foreign, own_slug), {"amount": "1.00"})
    under_its_club = admin_client.post(_url(foreign), {"amount": "1.00"})

    assert under_own_club.status_code == 404
    assert under_its_club.status_code == 403
    assert _refund_events(foreign) == 0


@pytest.mark.parametrize("provider", ["stripe"])
@pytest.mark.parametrize("role", [Role.MEMBER, Role.COACH, Role.STAFF])
def test_club_member_without_the_admin_role_is_forbidden(
    pay_club: Club, paid: Payment, role: str
) -> None:
    client = sign_in(Client(), make_membership(pay_club, role=role).user)

    page = client.get(_url(paid))
    response = client.post(_url(paid), {"amount": "1.00"})

    paid.refresh_from_db()
    assert (page.status_code, response.status_code) == (403, 403)
    assert paid.state == Payment.State.PAID
    assert _refund_events(paid) == 0


@pytest.mark.parametrize("provider", ["stripe"])
def test_refund_without_the_csrf_token_is_refused(admin: User, paid: Payment) -> None:
    client = sign_in(Client(enforce_csrf_checks=True), admin)

    response = client.post(_url(paid), {"amount": "1.00"})

    paid.refresh_from_db()
    assert response.status_code == 403
    assert paid.state == Payment.State.PAID
    assert _refund_events(paid) == 0


@pytest.mark.parametrize("provider", ["paybox"])
def test_refund_the_gateway_refuses_is_reported_and_changes_nothing(
    admin_client: Client, pay_club: Club, paid: Payment
) -> None:
    # Refunded at the gateway directly (its own back office), not yet known here.
    provider_for(pay_club.payment_gateway).refund(payment_ref(paid), GUEST_FEE)

    response = admin_client.post(_url(paid), {"amount": "1.00"})

    paid.refresh_from_db()
    assert response.status_code == 502
    assert "The payment service did not accept the refund; try again." in response.content.decode()
    assert paid.state == Payment.State.PAID


@pytest.mark.parametrize("provider", ["stripe"])
def test_payments_list_links_each_refundable_payment_to_its_refund_page(
    admin_client: Client, paid: Payment
) -> None:
    page = admin_client.get(f"/c/{paid.club.slug}/manage/payments/").content.decode()

    assert f'href="{_url(paid)}"' in page
    assert "the payment of 12.50 EUR by" in page

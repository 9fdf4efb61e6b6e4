"""A member pays their club's membership fee through each gateway's simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, MembershipType
from fortresa.core.models import AuditEvent
from fortresa.payments.models import MembershipFee, MembershipFeePayment, Payment
from fortresa.payments.services import begin_checkout, create_membership_payment, settle_payment
from fortresa.payments.simulators.server import RunningSimulators
from tests.factories import make_membership, make_user, sign_in
from tests.payments.conftest import (
    checkout_from,
    deliver_all,
    member_at_gateway,
    return_to_site,
    urls_for,
)

SEASON = "2027 season"


def _fee(club: Club, name: str, amount: str, period: str = SEASON) -> MembershipType:
    kind = MembershipType.objects.create(club=club, name=name)
    MembershipFee.objects.create(
        club=club, membership_type=kind, amount=Decimal(amount), period_label=period
    )
    return kind


@pytest.fixture
def junior(pay_club: Club) -> MembershipType:
    _fee(pay_club, "Adult", "120.00")
    return _fee(pay_club, "Junior", "45.00")


@pytest.fixture
def member(pay_club: Club, junior: MembershipType) -> User:
    return make_membership(pay_club, membership_type=junior).user


@pytest.fixture
def member_client(member: User) -> Client:
    return sign_in(Client(), member)


def _fee_url(club: Club) -> str:
    return f"/c/{club.slug}/membership-fee/"


def _pay_fee(client: Client, club: Club, decision: str = "approve") -> str:
    """The member presses Pay, decides on the gateway's page, and comes back."""
    checkout = checkout_from(client.post(_fee_url(club)))
    return return_to_site(client, member_at_gateway(checkout, decision=decision))


def test_member_pays_the_fee_of_their_membership_type(
    pay_club: Club,
    member: User,
    member_client: Client,
    simulators: RunningSimulators,
) -> None:
    before = member_client.get(_fee_url(pay_club)).content.decode()

    page = _pay_fee(member_client, pay_club)
    statuses = deliver_all(member_client, simulators)

    payment = Payment.objects.get(payer=member)
    record = MembershipFeePayment.objects.get(payment=payment)
    after = member_client.get(_fee_url(pay_club)).content.decode()
    assert f"Fee due: 45.00 EUR for {SEASON}." in before
    assert "Payment received" in page
    assert all(status == 200 for status in statuses)
    assert (payment.purpose, payment.state) == (Payment.Purpose.MEMBERSHIP, Payment.State.PAID)
    assert (payment.amount, payment.currency) == (Decimal("45.00"), "EUR")
    assert (record.membership.user, record.period_label) == (member, SEASON)
    assert f"Your membership fee of 45.00 EUR for {SEASON} is paid" in after
    assert "Pay the membership fee" not in after


def test_fee_paid_once_is_recorded_once_whatever_arrives_first(
    pay_club: Club,
    member: User,
    member_client: Client,
    simulators: RunningSimulators,
) -> None:
    checkout = checkout_from(member_client.post(_fee_url(pay_club)))
    location = member_at_gateway(checkout)

    deliver_all(member_client, simulators)
    return_to_site(member_client, location)
    deliver_all(member_client, simulators)

    payment = Payment.objects.get(payer=member)
    assert MembershipFeePayment.objects.filter(membership__user=member).count() == 1
    assert AuditEvent.objects.filter(
        action="payment.paid", target=f"payment:{payment.reference}"
    ).exists()


def test_paid_fee_cannot_be_paid_again_for_the_same_period(
    pay_club: Club, member: User, member_client: Client
) -> None:
    _pay_fee(member_client, pay_club)

    response = member_client.post(_fee_url(pay_club))

    assert response.status_code == 200
    assert f"Your membership fee for {SEASON} is already paid." in response.content.decode()
    assert Payment.objects.filter(payer=member).count() == 1


def test_fee_of_a_new_period_is_due_again(
    pay_club: Club, member: User, member_client: Client, junior: MembershipType
) -> None:
    _pay_fee(member_client, pay_club)
    MembershipFee.objects.filter(membership_type=junior).update(period_label="2028 season")

    page = member_client.get(_fee_url(pay_club)).content.decode()
    response = member_client.post(_fee_url(pay_club))

    assert "Fee due: 45.00 EUR for 2028 season." in page
    assert response.status_code in (200, 302)
    assert Payment.objects.filter(payer=member).count() == 2


def test_second_fee_paid_from_another_tab_is_refunded_in_full(
    pay_club: Club,
    member: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    membership = member.memberships.get(club=pay_club)
    first = create_membership_payment(actor=member, membership=membership)
    second = create_membership_payment(actor=member, membership=membership)
    checkouts = [begin_checkout(actor=member, payment=p, urls=urls_for) for p in (first, second)]
    for checkout in checkouts:
        member_at_gateway(checkout)

    with django_capture_on_commit_callbacks(execute=True):
        for payment in (first, second):
            payment.refresh_from_db()
            settle_payment(payment=payment)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Payment.State.PAID
    assert (second.state, second.refunded_amount) == (Payment.State.REFUNDED, second.amount)
    assert list(MembershipFeePayment.objects.filter(membership=membership)) == [first.fee_record]
    assert AuditEvent.objects.filter(
        action="payment.fee_paid_twice", target=f"payment:{second.reference}"
    ).exists()


def test_declined_fee_payment_records_no_fee(
    pay_club: Club,
    member: User,
    member_client: Client,
    simulators: RunningSimulators,
) -> None:
    page = _pay_fee(member_client, pay_club, decision="decline")
    deliver_all(member_client, simulators)

    payment = Payment.objects.get(payer=member)
    after = member_client.get(_fee_url(pay_club)).content.decode()
    assert payment.state == Payment.State.FAILED
    assert "The payment did not go through: nothing was charged." in page
    assert not MembershipFeePayment.objects.filter(membership__user=member).exists()
    assert f"Fee due: 45.00 EUR for {SEASON}." in after


@pytest.mark.parametrize("provider", ["stripe"])
def test_member_whose_type_has_no_fee_is_told_nothing_is_due(
    pay_club: Club, junior: MembershipType
) -> None:
    member = make_membership(pay_club, membership_type=None).user
    client = sign_in(Client(), member)

    page = client.get(_fee_url(pay_club)).content.decode()
    response = client.post(_fee_url(pay_club))

    assert "nothing is due" in page
    assert "Pay the membership fee" not in page
    assert response.status_code == 200
    assert (
        "Your club sets no membership fee for your type of membership." in response.content.decode()
    )
    assert not Payment.objects.filter(payer=member).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_fee_of_zero_is_not_charged(pay_club: Club) -> None:
    free = _fee(pay_club, "Honorary", "0.00")
    member = make_membership(pay_club, membership_type=free).user
    client = sign_in(Client(), member)

    response = client.post(_fee_url(pay_club))

    assert "Your club sets no membership fee" in response.content.decode()
    assert not Payment.objects.filter(payer=member).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_someone_who_is_not_a_member_is_refused(pay_club: Club, junior: MembershipType) -> None:
    outsider = make_user()
    make_membership(pay_club, membership_type=junior)  # the club has members, not this one
    client = sign_in(Client(), outsider)

    page = client.get(_fee_url(pay_club))
    post = client.post(_fee_url(pay_club))

    assert (page.status_code, post.status_code) == (403, 403)
    assert "You do not have permission to see this page" in post.content.decode()
    assert not Payment.objects.filter(payer=outsider).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_fee_is_not_paid_online_where_the_club_takes_no_online_payment(
    pay_club: Club, member: User, member_client: Client
) -> None:
    pay_club.payment_gateway.enabled = False
    pay_club.payment_gateway.save()

    page = member_client.get(_fee_url(pay_club)).content.decode()
    response = member_client.post(_fee_url(pay_club))

    assert "This club does not take online payments: please pay the club directly." in page
    assert "This club does not take online payments." in response.content.decode()
    assert not Payment.objects.filter(payer=member).exists()


@pytest.mark.parametrize("provider", ["stripe"])
def test_only_the_member_can_pay_their_fee(pay_club: Club, member: User) -> None:
    from fortresa.payments.services import PaymentError

    membership = member.memberships.get(club=pay_club)

    with pytest.raises(PaymentError, match="Only the member can pay"):
        create_membership_payment(actor=make_user(), membership=membership)

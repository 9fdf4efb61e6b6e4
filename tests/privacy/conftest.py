"""Fixtures of the privacy tests: a member with every kind of personal data, an SMTP
server, operators."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent, User, UserSession
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Invitation
from fortresa.core.audit import record_event
from fortresa.payments.models import Payment
from fortresa.privacy.models import Consent
from tests.accounts.support import sign_in_verified
from tests.factories import make_club, make_membership, make_user

NAME = "Erika Mustermann"
EMAIL = "erika.mustermann@example.test"
PHONE = "+33 6 12 34 56 78"


@dataclass
class RichMember:
    user: User
    club: Club
    partner: User
    booking: Booking
    partner_booking: Booking
    payment: Payment


def make_booking(club: Club, user: User, *, days: int = 1, **fields: Any) -> Booking:
    court = club.courts.first()
    assert court is not None
    start = (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    values: dict[str, Any] = {
        "club": club,
        "court": court,
        "booked_by": user,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
    }
    values.update(fields)
    return Booking.objects.create(**values)


@pytest.fixture
def rich_member(db: None) -> RichMember:
    """A member with a row in every table that can hold personal data about them."""
    club = make_club()
    user = make_user(email=EMAIL, full_name=NAME, phone=PHONE, preferred_language="fr")
    make_membership(club, user)
    partner = make_membership(club).user
    booking = make_booking(
        club, user, note=f"Lesson for {NAME}, call {PHONE}", guest_names=["Jean Invité"]
    )
    booking.partners.add(partner)
    partner_booking = make_booking(club, partner, days=2, note="Partner's own note")
    partner_booking.partners.add(user)
    payment = Payment.objects.create(
        club=club,
        payer=user,
        purpose=Payment.Purpose.BOOKING,
        booking=booking,
        provider="paypal",
        amount=Decimal("12.00"),
        currency="EUR",
    )
    now = timezone.now()
    UserSession.objects.create(
        user=user, created_at=now, last_seen_at=now, ip_address="203.0.113.7", user_agent="Firefox"
    )
    record_security_event(
        kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, ip_address="203.0.113.7"
    )
    Invitation.objects.create(
        club=club, email=EMAIL, token_hash="0" * 64, expires_at=now + dt.timedelta(days=3)
    )
    Consent.objects.create(
        user=user, purpose=Consent.Purpose.NEWS_EMAILS, granted=True, recorded_at=now
    )
    record_event(
        action="account.created", actor=user, target=f"user:{user.pk}", ip_address="203.0.113.7"
    )
    record_event(action="club.member_renamed", details={"to": NAME, "email": EMAIL})
    LogEntry.objects.create(
        user=partner,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message=f"Changed phone of {NAME}",
    )
    return RichMember(user, club, partner, booking, partner_booking, payment)


@pytest.fixture
def operator(db: None) -> User:
    return make_user(is_staff=True)


@pytest.fixture
def operator_client(operator: User) -> Client:
    """An operator signed in with their second factor (the staff gate asks for it)."""
    return sign_in_verified(Client(), operator)


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.box.lock:
            self.box.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on localhost; Django's SMTP backend sends to it."""
    box = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    try:
        yield box
    finally:
        controller.stop()

"""Payments tests: real simulators on a loopback port, a club with a gateway, a browser stand-in."""

from __future__ import annotations

import datetime as dt
import http.client
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.bookings.services import create_booking
from fortresa.clubs.models import Club, Court
from fortresa.payments.models import Payment
from fortresa.payments.providers.base import Checkout
from fortresa.payments.services import begin_checkout, configure_gateway, create_booking_payment
from fortresa.payments.simulators.server import RunningSimulators, provision, start_simulators
from fortresa.payments.simulators.store import Outgoing
from tests.factories import make_club, make_membership

PROVIDERS = ("paypal", "paybox", "stripe")
GUEST_FEE = Decimal("12.50")


@pytest.fixture(autouse=True)
def _short_gateway_timeout(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_PAYMENT_HTTP_TIMEOUT = 1.0


@pytest.fixture(scope="session")
def simulators() -> Iterator[RunningSimulators]:
    running = start_simulators()
    yield running
    running.stop()


@pytest.fixture
def blackhole() -> Iterator[str]:
    """A loopback port that accepts connections and never answers: a gateway timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


def notify_url(provider: str, club: Club) -> str:
    return f"http://testserver/payments/notify/{provider}/{club.slug}/"


def gateway_club(simulators: RunningSimulators, provider: str, **fields: object) -> Club:
    club = make_club(rules={"guest_fee": GUEST_FEE, "partners_required": 0}, **fields)
    credentials = provision(simulators.store, provider, notify_url=notify_url(provider, club))
    configure_gateway(
        actor=None,
        club=club,
        provider=provider,
        credentials=credentials,
        base_url=simulators.url(provider),
    )
    return club


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pay_club(db, simulators: RunningSimulators, provider: str) -> Club:  # type: ignore[no-untyped-def]
    simulators.store.take_outbox()  # what earlier tests left undelivered
    return gateway_club(simulators, provider)


@pytest.fixture
def payer_client(payer: User) -> Client:
    client = Client()
    client.force_login(payer)
    return client


@pytest.fixture
def payer(pay_club: Club) -> User:
    return make_membership(pay_club).user


def tomorrow_at(club: Club, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    day = timezone.now().astimezone(club.tzinfo).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=club.tzinfo)


def held_booking(club: Club, user: User, *, guests: int = 1, hour: int = 10) -> Booking:
    return create_booking(
        actor=user,
        club=club,
        court=Court.objects.filter(club=club).order_by("position").first(),  # type: ignore[arg-type]
        starts_at=tomorrow_at(club, hour),
        duration_minutes=60,
        guest_names=[f"Guest {n}" for n in range(guests)],
    )


def urls_for(payment: Payment) -> tuple[str, str, str]:
    ref = str(payment.reference)
    return (
        f"http://testserver/payments/{ref}/return/",
        f"http://testserver/payments/{ref}/cancelled/",
        notify_url(payment.provider, payment.club),
    )


@dataclass
class Started:
    booking: Booking
    payment: Payment
    checkout: Checkout


def start_booking_payment(club: Club, user: User, **kwargs: int) -> Started:
    booking = held_booking(club, user, **kwargs)
    payment = create_booking_payment(actor=user, booking=booking)
    checkout = begin_checkout(actor=user, payment=payment, urls=urls_for)
    payment.refresh_from_db()
    return Started(booking, payment, checkout)


def browser_request(method: str, url: str, body: str = "") -> tuple[int, str, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, response.getheader("Location") or "", text


def member_at_gateway(checkout: Checkout, decision: str = "approve") -> str:
    """Do what the member's browser does on the gateway's page; returns where it sends them."""
    if checkout.form_fields:
        status, _location, page = browser_request(
            "POST", checkout.url, urlencode(list(checkout.form_fields))
        )
    else:
        status, _location, page = browser_request("GET", checkout.url)
    assert status == 200, page
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    status, location, page = browser_request("POST", action, urlencode({"decision": decision}))
    if status == 200 and decision == "decline":
        # Stripe keeps the member on its page after a decline; this one gives up.
        assert "Your card was declined." in page
        status, location, page = browser_request("POST", action, "decision=cancel")
    assert status == 303, page
    return location


def deliver(client: Client, item: Outgoing) -> int:
    """Post a notification the simulator queued to our notify view, as the gateway would."""
    parts = urlsplit(item.url)
    headers = {k: v for k, v in item.headers.items() if k.lower() != "content-type"}
    response = client.generic(
        "POST",
        parts.path,
        data=item.body,
        content_type=item.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,
    )
    return response.status_code


def deliver_all(client: Client, simulators: RunningSimulators) -> list[int]:
    return [deliver(client, item) for item in simulators.store.take_outbox()]


def checkout_from(response: HttpResponse) -> Checkout:
    """Where one of our pages sends the member: a redirect, or Paybox's signed form."""
    if response.status_code == 302:
        return Checkout(external_reference="", url=response["Location"])
    page = response.content.decode()
    assert response.status_code == 200, page
    form = re.search(
        r'<form method="post" action="([^"]+)" id="gateway-form">(.*?)</form>', page, re.S
    )
    assert form is not None, page
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    return Checkout(
        external_reference="",
        url=unescape(form.group(1)),
        form_fields=tuple((unescape(name), unescape(value)) for name, value in fields),
    )


def return_to_site(client: Client, location: str) -> str:
    parts = urlsplit(location)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.get(path).content.decode()

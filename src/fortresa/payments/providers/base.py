"""The contract every payment gateway implements.

A provider talks to one gateway on behalf of one club, with that club's credentials.
It never decides that a payment is paid: it reports what the gateway says
(``GatewayState``) and the payment services decide, after checking amount, currency and
reference against what we asked for. Card details never pass through a provider: the
member types them on the gateway's own page.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from fortresa.payments.http import GatewayHttpClient


class GatewayStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


@dataclass(frozen=True)
class CredentialField:
    name: str
    label: str
    secret: bool = True


@dataclass(frozen=True)
class CheckoutRequest:
    """What we ask the gateway to collect; ``reference`` is our payment's UUID."""

    reference: str
    amount: Decimal
    currency: str
    description: str
    payer_email: str
    return_url: str
    cancel_url: str
    notify_url: str


@dataclass(frozen=True)
class Checkout:
    """Where to send the member: a redirect (GET) or a signed form to post (Paybox)."""

    external_reference: str
    url: str
    form_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PaymentRef:
    """A payment as the gateway knows it."""

    reference: str
    external_reference: str
    capture_reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class GatewayState:
    """The gateway's own account of a payment, re-fetched from it."""

    status: GatewayStatus
    amount: Decimal | None
    currency: str | None
    reference: str | None
    external_reference: str = ""
    capture_reference: str = ""
    refunded_amount: Decimal = Decimal("0")
    detail: str = ""


@dataclass(frozen=True)
class Notification:
    """A notification whose signature checked out; still only a trigger to re-fetch."""

    event_id: str
    reference: str = ""
    external_reference: str = ""
    capture_reference: str = ""
    # Amount and currency as the notification states them (tamper check), if any.
    amount: Decimal | None = None
    currency: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class NotificationRejected(Exception):
    """A notification that fails verification: bad or missing signature, malformed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class GatewayRefused(Exception):
    """The gateway answered but refused the request (bad credentials, invalid amount)."""


class PaymentProvider(ABC):
    """One gateway, for one club. Subclasses set the class attributes and the five hooks."""

    identifier: ClassVar[str]
    name: ClassVar[str]
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    # Origins the member's browser is sent to (CSP form-action), sandbox and live.
    sandbox_origins: ClassVar[tuple[str, ...]]
    live_origins: ClassVar[tuple[str, ...]]
    sandbox_url: ClassVar[str]
    live_url: ClassVar[str]

    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        base_url: str = "",
        live: bool = False,
        http: GatewayHttpClient | None = None,
    ) -> None:
        self.credentials = dict(credentials)
        self.base_url = (base_url or (self.live_url if live else self.sandbox_url)).rstrip("/")
        self.live = live
        self.http = http or GatewayHttpClient()

    @abstractmethod
    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        """Register the payment with the gateway and say where to send the member.

        This hook must not move money: nothing is charged before the member approves
        on the gateway's page.
        """

    @abstractmethod
    def handle_return(self, payment: PaymentRef, params: Mapping[str, str]) -> GatewayState:
        """The member came back from the gateway; finish what the protocol needs (PayPal
        captures here) and return the gateway's state. The return's own parameters are
        never trusted for the outcome."""

    @abstractmethod
    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> Notification:
        """Check a notification's signature (fail closed) and say which payment it is
        about; raises NotificationRejected. The caller still re-fetches the state."""

    @abstractmethod
    def fetch_state(self, payment: PaymentRef) -> GatewayState:
        """Ask the gateway for the payment's current state."""

    def settle(self, payment: PaymentRef) -> GatewayState:
        """What reconciliation asks: finish an approved payment if the protocol needs us
        to (PayPal's capture), else just fetch its state."""
        return self.fetch_state(payment)

    @abstractmethod
    def refund(self, payment: PaymentRef, amount: Decimal) -> GatewayState:
        """Refund ``amount`` of a paid payment; returns the state after the refund."""


def cents(amount: Decimal) -> int:
    """Minor units of a two-decimal currency amount."""
    return int((amount * 100).quantize(Decimal("1")))


def from_cents(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))

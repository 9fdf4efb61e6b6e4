"""Stripe Checkout: a session created server-side, the member pays on Stripe's page.

Webhooks carry ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``;
a signature older than the tolerance is refused (replayed captures), and the session is
re-fetched before anything is marked paid.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from fortresa.payments.http import GatewayResponse, GatewayUnavailable
from fortresa.payments.providers.base import (
    Checkout,
    CheckoutRequest,
    CredentialField,
    GatewayRefused,
    GatewayState,
    GatewayStatus,
    Notification,
    NotificationRejected,
    PaymentProvider,
    PaymentRef,
    cents,
    from_cents,
)

TOLERANCE_SECONDS = 300
_SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """``Stripe-Signature`` for ``body`` at ``timestamp`` (used by the simulator too)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class StripeProvider(PaymentProvider):
    identifier = "stripe"
    name = "Stripe"
    credential_fields = (
        CredentialField("secret_key", "Secret key"),
        CredentialField("webhook_secret", "Webhook signing secret"),
    )
    sandbox_origins = ("https://checkout.stripe.com",)
    live_origins = ("https://checkout.stripe.com",)
    sandbox_url = "https://api.stripe.com"
    live_url = "https://api.stripe.com"

    def _call(
        self, method: str, path: str, form: dict[str, str] | None = None, idempotency: str = ""
    ) -> GatewayResponse:
        headers = {"Authorization": f"Bearer {self.credentials['secret_key']}"}
        body = b""
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form).encode()
        if idempotency:
            headers["Idempotency-Key"] = idempotency
        return self.http.request(method, f"{self.base_url}{path}", headers=headers, body=body)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        form = {
            "mode": "payment",
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": request.currency.lower(),
            "line_items[0][price_data][unit_amount]": str(cents(request.amount)),
            "line_items[0][price_data][product_data][name]": request.description[:200],
            "success_url": request.return_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": request.reference,
            "metadata[reference]": request.reference,
            "customer_email": request.payer_email,
        }
        response = self._call(
            "POST", "/v1/checkout/sessions", form, idempotency=f"session-{request.reference}"
        )
        if response.status != 200:
            raise GatewayRefused(f"Stripe refused the checkout session ({response.status})")
        session = response.json()
        if not isinstance(session.get("id"), str) or not isinstance(session.get("url"), str):
            raise GatewayUnavailable("Stripe answered without a session id or url")
        return Checkout(external_reference=session["id"], url=session["url"])

    def _intent(self, intent_id: str) -> dict[str, Any]:
        response = self._call(
            "GET", f"/v1/payment_intents/{quote(intent_id)}?expand%5B%5D=latest_charge"
        )
        if response.status != 200:
            raise GatewayUnavailable(f"Stripe answered {response.status} for the payment intent")
        intent = response.json()
        return intent if isinstance(intent, dict) else {}

    @staticmethod
    def _refunded(intent: dict[str, Any]) -> int:
        charge = intent.get("latest_charge") or {}
        return _int(charge.get("amount_refunded") if isinstance(charge, dict) else 0) or 0

    @staticmethod
    def _declined(intent: dict[str, Any]) -> str:
        """The decline code of the intent's last failed attempt, if it is waiting for
        another payment method after one ("" otherwise)."""
        error = intent.get("last_payment_error")
        if intent.get("status") != "requires_payment_method" or not isinstance(error, dict):
            return ""
        return str(error.get("decline_code") or error.get("code") or "declined")[:60]

    def fetch_state(self, payment: PaymentRef) -> GatewayState:
        response = self._call("GET", f"/v1/checkout/sessions/{quote(payment.external_reference)}")
        if response.status == 404:
            raise GatewayRefused("Stripe does not know this session")
        if response.status != 200:
            raise GatewayUnavailable(f"Stripe answered {response.status}")
        session = response.json()
        amount = _int(session.get("amount_total"))
        intent_id = str(session.get("payment_intent") or "")
        status = GatewayStatus.PENDING
        refunded = Decimal(0)
        detail = f"{session.get('status')}/{session.get('payment_status')}"
        if session.get("status") == "expired":
            status = GatewayStatus.CANCELLED
        elif session.get("status") == "complete" and session.get("payment_status") == "paid":
            status = GatewayStatus.PAID
            refunded_cents = self._refunded(self._intent(intent_id)) if intent_id else 0
            refunded = from_cents(refunded_cents)
            if amount is not None and refunded_cents >= amount:
                status = GatewayStatus.REFUNDED
            elif refunded_cents:
                status = GatewayStatus.PARTIALLY_REFUNDED
        elif session.get("status") == "open" and intent_id:
            # The member tried and the card was declined. The session stays open (they
            # may try again, and a later success still wins: failed -> paid), but a
            # member who leaves now has paid nothing and is told so.
            decline = self._declined(self._intent(intent_id))
            if decline:
                status = GatewayStatus.FAILED
                detail = f"declined: {decline}"
        return GatewayState(
            status=status,
            amount=from_cents(amount) if amount is not None else None,
            currency=str(session.get("currency", "")).upper() or None,
            reference=session.get("client_reference_id"),
            external_reference=str(session.get("id", "")),
            capture_reference=intent_id,
            refunded_amount=refunded,
            detail=detail,
        )

    def handle_return(self, payment: PaymentRef, params: Mapping[str, str]) -> GatewayState:
        return self.fetch_state(payment)

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> Notification:
        secret = self.credentials.get("webhook_secret", "")
        if not secret:
            raise NotificationRejected("not_configured", "no webhook secret is configured")
        header = headers.get("stripe-signature", "")
        pairs = [item.split("=", 1) for item in header.split(",") if "=" in item]
        timestamps = [value for key, value in pairs if key.strip() == "t"]
        signatures = [value for key, value in pairs if key.strip() == "v1"]
        if len(timestamps) != 1 or not timestamps[0].isdigit() or not signatures:
            raise NotificationRejected("missing_signature", "Stripe-Signature missing")
        timestamp = int(timestamps[0])
        expected = signature_header(secret, body, timestamp).split("v1=", 1)[1]
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise NotificationRejected("bad_signature", "Stripe signature does not match")
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise NotificationRejected("stale_signature", "Stripe signature timestamp too old")
        try:
            event = json.loads(body)
        except ValueError:
            raise NotificationRejected("malformed", "the body is not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise NotificationRejected("malformed", "the event has no id")
        obj = (event.get("data") or {}).get("object") or {}
        if event.get("type") not in _SESSION_EVENTS or not isinstance(obj, dict):
            return Notification(event_id=event["id"], extra={"event_type": str(event.get("type"))})
        amount = _int(obj.get("amount_total"))
        return Notification(
            event_id=event["id"],
            reference=str(obj.get("client_reference_id") or ""),
            external_reference=str(obj.get("id") or ""),
            amount=from_cents(amount) if amount is not None else None,
            currency=str(obj.get("currency", "")).upper() or None,
            extra={"event_type": str(event.get("type"))},
        )

    def refund(self, payment: PaymentRef, amount: Decimal) -> GatewayState:
        before = self.fetch_state(payment)
        response = self._call(
            "POST",
            "/v1/refunds",
            {"payment_intent": payment.capture_reference, "amount": str(cents(amount))},
            idempotency=f"refund-{payment.reference}-{before.refunded_amount}-{amount}",
        )
        if response.status != 200:
            raise GatewayRefused(f"Stripe refused the refund ({response.status})")
        return self.fetch_state(payment)

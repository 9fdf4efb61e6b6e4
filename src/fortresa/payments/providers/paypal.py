"""PayPal Checkout through the Orders v2 REST API.

OAuth client credentials give a bearer token; an order is created with our reference and
the member approves it on PayPal; we capture it when they return (or when reconciling an
approved order). Webhooks are verified by PayPal's own verify-webhook-signature API and
are only triggers: the order is re-fetched before anything is marked paid.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

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
)

_HEADERS = (
    "paypal-transmission-id",
    "paypal-transmission-time",
    "paypal-transmission-sig",
    "paypal-cert-url",
    "paypal-auth-algo",
)
_CAPTURE_STATUS = {
    "COMPLETED": GatewayStatus.PAID,
    "PENDING": GatewayStatus.PENDING,
    "DECLINED": GatewayStatus.FAILED,
    "FAILED": GatewayStatus.FAILED,
    "REFUNDED": GatewayStatus.REFUNDED,
    "PARTIALLY_REFUNDED": GatewayStatus.PARTIALLY_REFUNDED,
}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


class PayPalProvider(PaymentProvider):
    identifier = "paypal"
    name = "PayPal"
    credential_fields = (
        CredentialField("client_id", "Client ID", secret=False),
        CredentialField("client_secret", "Secret"),
        CredentialField("webhook_id", "Webhook ID", secret=False),
    )
    sandbox_origins = ("https://www.sandbox.paypal.com",)
    live_origins = ("https://www.paypal.com",)
    sandbox_url = "https://api-m.sandbox.paypal.com"
    live_url = "https://api-m.paypal.com"

    def _token(self) -> str:
        basic = base64.b64encode(
            f"{self.credentials['client_id']}:{self.credentials['client_secret']}".encode()
        ).decode()
        response = self.http.request(
            "POST",
            f"{self.base_url}/v1/oauth2/token",
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            body=urlencode({"grant_type": "client_credentials"}).encode(),
        )
        if response.status != 200:
            raise GatewayRefused(f"PayPal refused the client credentials ({response.status})")
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise GatewayUnavailable("PayPal answered without an access token")
        return token

    def _call(
        self, method: str, path: str, payload: dict[str, Any] | None = None, request_id: str = ""
    ) -> GatewayResponse:
        headers = {"Authorization": f"Bearer {self._token()}", "Content-Type": "application/json"}
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        body = json.dumps(payload).encode() if payload is not None else b""
        return self.http.request(method, f"{self.base_url}{path}", headers=headers, body=body)

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        payload = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": request.reference,
                    "custom_id": request.reference,
                    "description": request.description[:127],
                    "amount": {"currency_code": request.currency, "value": f"{request.amount:.2f}"},
                }
            ],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "return_url": request.return_url,
                        "cancel_url": request.cancel_url,
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                    }
                }
            },
        }
        response = self._call("POST", "/v2/checkout/orders", payload, request_id=request.reference)
        if response.status not in (200, 201):
            raise GatewayRefused(f"PayPal refused the order ({response.status})")
        order = response.json()
        links = {link.get("rel"): link.get("href") for link in order.get("links", [])}
        approve = links.get("payer-action") or links.get("approve")
        if not isinstance(order.get("id"), str) or not isinstance(approve, str):
            raise GatewayUnavailable("PayPal answered without an order id or approval link")
        return Checkout(external_reference=order["id"], url=approve)

    def _state(self, order: dict[str, Any]) -> GatewayState:
        units = order.get("purchase_units") or [{}]
        unit = units[0] if isinstance(units[0], dict) else {}
        amount = unit.get("amount") or {}
        captures = (unit.get("payments") or {}).get("captures") or []
        refunds = (unit.get("payments") or {}).get("refunds") or []
        refunded = sum(
            (_money((r.get("amount") or {}).get("value")) or Decimal(0) for r in refunds),
            Decimal(0),
        )
        status = order.get("status")
        capture_id = ""
        detail = str(status)
        if status == "COMPLETED" and captures:
            capture = captures[0]
            capture_id = str(capture.get("id", ""))
            state = _CAPTURE_STATUS.get(str(capture.get("status")), GatewayStatus.PENDING)
            # The order completes either way; the capture says whether money moved.
            detail = f"{status}/{capture.get('status')}"
        elif status == "VOIDED":
            state = GatewayStatus.CANCELLED
        else:
            state = GatewayStatus.PENDING
        return GatewayState(
            status=state,
            amount=_money(amount.get("value")),
            currency=amount.get("currency_code"),
            reference=unit.get("custom_id") or unit.get("reference_id"),
            external_reference=str(order.get("id", "")),
            capture_reference=capture_id,
            refunded_amount=refunded,
            detail=detail,
        )

    def _order(self, order_id: str) -> dict[str, Any]:
        response = self._call("GET", f"/v2/checkout/orders/{order_id}")
        if response.status == 404:
            raise GatewayRefused("PayPal does not know this order")
        if response.status != 200:
            raise GatewayUnavailable(f"PayPal answered {response.status}")
        return response.json()

    def fetch_state(self, payment: PaymentRef) -> GatewayState:
        return self._state(self._order(payment.external_reference))

    def handle_return(self, payment: PaymentRef, params: Mapping[str, str]) -> GatewayState:
        # The ``token`` parameter is the member's to change; the stored order id is ours.
        order = self._order(payment.external_reference)
        if order.get("status") != "APPROVED":
            return self._state(order)
        response = self._call(
            "POST",
            f"/v2/checkout/orders/{payment.external_reference}/capture",
            {},
            request_id=f"capture-{payment.reference}",
        )
        if response.status in (200, 201):
            return self._state(response.json())
        if response.status == 422:
            return self.fetch_state(payment)  # already captured, or declined: ask again
        raise GatewayUnavailable(f"PayPal answered {response.status} to the capture")

    def settle(self, payment: PaymentRef) -> GatewayState:
        """Capture an approved order whose member never came back, else fetch it."""
        return self.handle_return(payment, {})

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> Notification:
        webhook_id = self.credentials.get("webhook_id", "")
        if not webhook_id:
            raise NotificationRejected("not_configured", "no webhook id is configured")
        values = {name: headers.get(name, "") for name in _HEADERS}
        if not all(values.values()):
            raise NotificationRejected("missing_signature", "PayPal signature headers missing")
        try:
            event = json.loads(body)
        except ValueError:
            raise NotificationRejected("malformed", "the body is not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise NotificationRejected("malformed", "the event has no id")
        response = self._call(
            "POST",
            "/v1/notifications/verify-webhook-signature",
            {
                "auth_algo": values["paypal-auth-algo"],
                "cert_url": values["paypal-cert-url"],
                "transmission_id": values["paypal-transmission-id"],
                "transmission_sig": values["paypal-transmission-sig"],
                "transmission_time": values["paypal-transmission-time"],
                "webhook_id": webhook_id,
                "webhook_event": event,
            },
        )
        if response.status != 200 or response.json().get("verification_status") != "SUCCESS":
            raise NotificationRejected("bad_signature", "PayPal did not verify the signature")
        resource = event.get("resource") if isinstance(event.get("resource"), dict) else {}
        assert isinstance(resource, dict)  # noqa: S101 - narrowed above
        order_id = str(
            ((resource.get("supplementary_data") or {}).get("related_ids") or {}).get(
                "order_id", ""
            )
        )
        units = resource.get("purchase_units") or [{}]
        amount = resource.get("amount") or (units[0] or {}).get("amount") or {}
        if str(event.get("event_type", "")).startswith("CHECKOUT.ORDER"):
            order_id = str(resource.get("id", ""))
        return Notification(
            event_id=event["id"],
            reference=str(resource.get("custom_id") or (units[0] or {}).get("custom_id") or ""),
            external_reference=order_id,
            amount=_money(amount.get("value")) if amount else None,
            currency=amount.get("currency_code") if amount else None,
            extra={"event_type": str(event.get("event_type", ""))},
        )

    def refund(self, payment: PaymentRef, amount: Decimal) -> GatewayState:
        before = self.fetch_state(payment)
        response = self._call(
            "POST",
            f"/v2/payments/captures/{payment.capture_reference}/refund",
            {"amount": {"value": f"{amount:.2f}", "currency_code": payment.currency}},
            request_id=f"refund-{payment.reference}-{before.refunded_amount}-{amount}",
        )
        if response.status not in (200, 201):
            raise GatewayRefused(f"PayPal refused the refund ({response.status})")
        return self.fetch_state(payment)

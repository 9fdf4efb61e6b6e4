"""PayPal simulator: OAuth client credentials, Orders v2, captures, refunds, webhooks.

Webhooks are signed with an RSA key of the simulator (SHA256withRSA over
``transmission_id|transmission_time|webhook_id|crc32(body)``, as PayPal does) and
checked by its verify-webhook-signature endpoint, which also insists that the event
it is shown is the one it sent.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import zlib
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fortresa.payments.simulators.store import Outgoing, SimulatorStore, token
from fortresa.payments.simulators.wsgi import (
    Router,
    SimRequest,
    SimResponse,
    as_json,
    as_page,
    not_found,
    see_other,
)

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def provision(store: SimulatorStore, *, webhook_url: str) -> dict[str, str]:
    """Open a merchant account; returns the credentials a club would paste in."""
    client_id = token("SIM-", 32)
    credentials = {
        "client_id": client_id,
        "client_secret": token("", 40),
        "webhook_id": token("WH-", 17, UPPER),
    }
    store.put("paypal-client", client_id, {**credentials, "webhook_url": webhook_url})
    return credentials


class PayPalSimulator:
    def __init__(self, store: SimulatorStore) -> None:
        self.store = store
        self.router = Router()
        self.router.add("POST", "/v1/oauth2/token", self.oauth_token)
        self.router.add("POST", "/v2/checkout/orders", self.create_order)
        self.router.add("GET", "/v2/checkout/orders/(?P<order_id>[A-Z0-9]+)", self.get_order)
        self.router.add("POST", "/v2/checkout/orders/(?P<order_id>[A-Z0-9]+)/capture", self.capture)
        self.router.add(
            "POST", "/v2/payments/captures/(?P<capture_id>[A-Z0-9]+)/refund", self.refund
        )
        self.router.add("POST", "/v1/notifications/verify-webhook-signature", self.verify)
        self.router.add("GET", "/checkoutnow", self.approval_page)
        self.router.add("POST", "/checkoutnow", self.approval_decision)

    # --- authentication ---------------------------------------------------------
    def oauth_token(self, request: SimRequest) -> SimResponse:
        header = request.headers.get("authorization", "")
        try:
            client_id, _sep, secret = (
                base64.b64decode(header.removeprefix("Basic "), validate=True)
                .decode()
                .partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            return as_json(401, {"error": "invalid_client"})
        client = self.store.get("paypal-client", client_id)
        if client is None or client["client_secret"] != secret:
            return as_json(401, {"error": "invalid_client"})
        if request.form().get("grant_type") != "client_credentials":
            return as_json(400, {"error": "unsupported_grant_type"})
        access = token("A21AA", 40)
        self.store.put("paypal-token", access, {"client_id": client_id})
        return as_json(200, {"access_token": access, "token_type": "Bearer", "expires_in": 32400})

    def _client(self, request: SimRequest) -> dict[str, Any] | None:
        access = request.headers.get("authorization", "").removeprefix("Bearer ")
        record = self.store.get("paypal-token", access) if access else None
        return self.store.get("paypal-client", record["client_id"]) if record else None

    # --- orders -----------------------------------------------------------------
    def create_order(self, request: SimRequest) -> SimResponse:
        client = self._client(request)
        if client is None:
            return as_json(401, {"name": "AUTHENTICATION_FAILURE"})
        request_id = request.headers.get("paypal-request-id", "")
        if request_id:
            seen = self.store.get("paypal-request", f"{client['client_id']}:{request_id}")
            if seen is not None:
                order = self.store.get("paypal-order", seen["order_id"])
                return as_json(200, self._public(order or {}, request))
        payload = request.json() or {}
        units = payload.get("purchase_units") or []
        try:
            unit = units[0]
            amount = unit["amount"]
            Decimal(str(amount["value"]))
            context = payload["payment_source"]["paypal"]["experience_context"]
            urls = (str(context["return_url"]), str(context["cancel_url"]))
        except (IndexError, KeyError, TypeError, InvalidOperation):
            return as_json(422, {"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": "INVALID"}]})
        if payload.get("intent") != "CAPTURE":
            return as_json(422, {"name": "UNPROCESSABLE_ENTITY"})
        order_id = token("", 17, UPPER)
        order = {
            "id": order_id,
            "client_id": client["client_id"],
            "status": "PAYER_ACTION_REQUIRED",
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id", ""),
                    "custom_id": unit.get("custom_id", ""),
                    "description": unit.get("description", ""),
                    "amount": {"currency_code": amount["currency_code"], "value": amount["value"]},
                }
            ],
            "return_url": urls[0],
            "cancel_url": urls[1],
        }
        self.store.put("paypal-order", order_id, order)
        if request_id:
            self.store.put(
                "paypal-request", f"{client['client_id']}:{request_id}", {"order_id": order_id}
            )
        return as_json(201, self._public(order, request))

    def _public(self, order: dict[str, Any], request: SimRequest) -> dict[str, Any]:
        visible = {
            k: v for k, v in order.items() if k not in ("client_id", "return_url", "cancel_url")
        }
        visible["links"] = [
            {"rel": "self", "href": f"{request.base_url}/v2/checkout/orders/{order.get('id')}"},
            {
                "rel": "payer-action",
                "href": f"{request.base_url}/checkoutnow?token={order.get('id')}",
            },
        ]
        return visible

    def _owned(self, request: SimRequest, order_id: str) -> dict[str, Any] | None:
        client = self._client(request)
        order = self.store.get("paypal-order", order_id)
        if client is None or order is None or order["client_id"] != client["client_id"]:
            return None
        return order

    def get_order(self, request: SimRequest, order_id: str) -> SimResponse:
        order = self._owned(request, order_id)
        return as_json(200, self._public(order, request)) if order else not_found()

    def capture(self, request: SimRequest, order_id: str) -> SimResponse:
        order = self._owned(request, order_id)
        if order is None:
            return not_found()
        if order["status"] != "APPROVED":
            issue = (
                "ORDER_ALREADY_CAPTURED" if order["status"] == "COMPLETED" else "ORDER_NOT_APPROVED"
            )
            return as_json(422, {"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": issue}]})
        unit = order["purchase_units"][0]
        declined = order.get("decision") == "decline"
        capture = {
            "id": token("", 17, UPPER),
            "status": "DECLINED" if declined else "COMPLETED",
            "amount": unit["amount"],
            "custom_id": unit["custom_id"],
            "supplementary_data": {"related_ids": {"order_id": order_id}},
        }
        unit["payments"] = {"captures": [capture], "refunds": []}
        order["status"] = "COMPLETED"
        self.store.put("paypal-order", order_id, order)
        self.store.put("paypal-capture", capture["id"], {"order_id": order_id})
        event = "PAYMENT.CAPTURE.DENIED" if declined else "PAYMENT.CAPTURE.COMPLETED"
        self.send_webhook(order["client_id"], event, capture)
        return as_json(201, self._public(order, request))

    def refund(self, request: SimRequest, capture_id: str) -> SimResponse:
        link = self.store.get("paypal-capture", capture_id)
        order = self._owned(request, link["order_id"]) if link else None
        if order is None:
            return not_found()
        payload = request.json() or {}
        unit = order["purchase_units"][0]
        capture = unit["payments"]["captures"][0]
        total = Decimal(capture["amount"]["value"])
        done = sum((Decimal(r["amount"]["value"]) for r in unit["payments"]["refunds"]), Decimal(0))
        try:
            amount = Decimal(str((payload.get("amount") or {}).get("value", total - done)))
        except InvalidOperation:
            return as_json(422, {"name": "UNPROCESSABLE_ENTITY"})
        if (
            capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED")
            or not 0 < amount <= total - done
        ):
            return as_json(
                422, {"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": "REFUND_NOT_ALLOWED"}]}
            )
        refund = {
            "id": token("", 17, UPPER),
            "status": "COMPLETED",
            "amount": {
                "value": f"{amount:.2f}",
                "currency_code": capture["amount"]["currency_code"],
            },
        }
        unit["payments"]["refunds"].append(refund)
        capture["status"] = "REFUNDED" if done + amount >= total else "PARTIALLY_REFUNDED"
        self.store.put("paypal-order", order["id"], order)
        return as_json(201, refund)

    # --- the member's approval page --------------------------------------------
    def approval_page(self, request: SimRequest) -> SimResponse:
        order = self.store.get("paypal-order", request.args().get("token", ""))
        if order is None:
            return as_page("payments/simulator/unknown.html", {"gateway": "PayPal"}, 404)
        unit = order["purchase_units"][0]
        return as_page(
            "payments/simulator/approve.html",
            {
                "gateway": "PayPal",
                "amount": unit["amount"]["value"],
                "currency": unit["amount"]["currency_code"],
                "description": unit.get("description", ""),
                "action": f"{request.base_url}/checkoutnow?token={order['id']}",
                "decline": True,
            },
        )

    def approval_decision(self, request: SimRequest) -> SimResponse:
        order = self.store.get("paypal-order", request.args().get("token", ""))
        if order is None or order["status"] != "PAYER_ACTION_REQUIRED":
            return as_page("payments/simulator/unknown.html", {"gateway": "PayPal"}, 404)
        decision = request.form().get("decision", "")
        if decision == "cancel":
            return see_other(f"{order['cancel_url']}?token={order['id']}")
        order["status"] = "APPROVED"
        order["decision"] = "decline" if decision == "decline" else "approve"
        self.store.put("paypal-order", order["id"], order)
        self.send_webhook(order["client_id"], "CHECKOUT.ORDER.APPROVED", self._resource(order))
        return see_other(f"{order['return_url']}?token={order['id']}&PayerID=SIMPAYER01")

    @staticmethod
    def _resource(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if k in ("id", "status", "intent", "purchase_units")}

    # --- webhooks -----------------------------------------------------------------
    def send_webhook(self, client_id: str, event_type: str, resource: dict[str, Any]) -> None:
        client = self.store.get("paypal-client", client_id)
        if client is None:
            return
        event = {
            "id": token("WH-", 20, UPPER),
            "event_version": "1.0",
            "create_time": dt.datetime.now(dt.UTC).isoformat(),
            "resource_type": "capture" if event_type.startswith("PAYMENT") else "checkout-order",
            "event_type": event_type,
            "resource": resource,
        }
        body = json.dumps(event).encode()
        transmission_id = token("", 36)
        transmission_time = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{transmission_id}|{transmission_time}|{client['webhook_id']}|{zlib.crc32(body)}"
        signature = self.store.signing_key("paypal").sign(
            message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        self.store.put("paypal-transmission", transmission_id, {"body": body.decode()})
        self.store.queue(
            Outgoing(
                url=client["webhook_url"],
                headers={
                    "Content-Type": "application/json",
                    "PAYPAL-TRANSMISSION-ID": transmission_id,
                    "PAYPAL-TRANSMISSION-TIME": transmission_time,
                    "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
                    "PAYPAL-CERT-URL": "https://simulator.invalid/paypal/cert.pem",
                    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
                },
                body=body,
                meta={"provider": "paypal", "event_type": event_type, "event_id": str(event["id"])},
            )
        )

    def verify(self, request: SimRequest) -> SimResponse:
        client = self._client(request)
        payload = request.json() or {}
        if client is None:
            return as_json(401, {"name": "AUTHENTICATION_FAILURE"})
        sent = self.store.get("paypal-transmission", str(payload.get("transmission_id", "")))
        status = "FAILURE"
        if sent is not None and payload.get("webhook_id") == client["webhook_id"]:
            body = sent["body"].encode()
            message = (
                f"{payload.get('transmission_id')}|{payload.get('transmission_time')}|"
                f"{client['webhook_id']}|{zlib.crc32(body)}"
            )
            try:
                self.store.signing_key("paypal").public_key().verify(
                    base64.b64decode(str(payload.get("transmission_sig", "")), validate=True),
                    message.encode(),
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
                if payload.get("webhook_event") == json.loads(body):
                    status = "SUCCESS"
            except (InvalidSignature, binascii.Error, ValueError):
                status = "FAILURE"
        return as_json(200, {"verification_status": status})

"""Stripe simulator: Checkout sessions, payment intents, refunds, signed webhooks.

Its page offers what Stripe's test cards give without any card number: *Approve*,
*Decline* (the charge fails with ``card_declined``; the member stays on the page, as on
Stripe's, and may try again or go back) and *Cancel and return*.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from fortresa.payments.providers.stripe import signature_header
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


def provision(store: SimulatorStore, *, webhook_url: str) -> dict[str, str]:
    credentials = {"secret_key": token("sk_test_", 40), "webhook_secret": token("whsec_", 32)}
    key = hashlib.sha256(credentials["secret_key"].encode()).hexdigest()
    account_id = token("acct_", 16)
    store.put("stripe-account", key, {**credentials, "webhook_url": webhook_url, "id": account_id})
    store.put("stripe-account-id", account_id, {"key": key})
    return credentials


def _error(status: int, message: str) -> SimResponse:
    return as_json(status, {"error": {"type": "invalid_request_error", "message": message}})


class StripeSimulator:
    def __init__(self, store: SimulatorStore) -> None:
        self.store = store
        self.router = Router()
        self.router.add("POST", "/v1/checkout/sessions", self.create_session)
        self.router.add(
            "GET", "/v1/checkout/sessions/(?P<session_id>cs_test_\\w+)", self.get_session
        )
        self.router.add("GET", "/v1/payment_intents/(?P<intent_id>pi_\\w+)", self.get_intent)
        self.router.add("POST", "/v1/refunds", self.create_refund)
        self.router.add("GET", "/pay/(?P<session_id>cs_test_\\w+)", self.pay_page)
        self.router.add("POST", "/pay/(?P<session_id>cs_test_\\w+)", self.pay_decision)

    def _account(self, request: SimRequest) -> dict[str, Any] | None:
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not key:
            return None
        return self.store.get("stripe-account", hashlib.sha256(key.encode()).hexdigest())

    def create_session(self, request: SimRequest) -> SimResponse:
        account = self._account(request)
        if account is None:
            return _error(401, "Invalid API Key provided")
        idempotency = request.headers.get("idempotency-key", "")
        if idempotency:
            seen = self.store.get("stripe-idem", f"{account['id']}:{idempotency}")
            if seen is not None:
                return as_json(200, self.store.get("stripe-session", seen["id"]) or {})
        form = request.form()
        amount = form.get("line_items[0][price_data][unit_amount]", "")
        if form.get("mode") != "payment" or not amount.isdigit() or int(amount) <= 0:
            return _error(400, "mode=payment and a positive unit_amount are required")
        if not form.get("success_url") or not form.get("cancel_url"):
            return _error(400, "success_url and cancel_url are required")
        session_id = token("cs_test_", 40)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "account": account["id"],
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(amount) * int(form.get("line_items[0][quantity]", "1") or 1),
            "currency": form.get("line_items[0][price_data][currency]", "").lower(),
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {"reference": form.get("metadata[reference]", "")},
            "customer_email": form.get("customer_email"),
            "payment_intent": None,
            "success_url": form["success_url"],
            "cancel_url": form["cancel_url"],
            "url": f"{request.base_url}/pay/{session_id}",
        }
        self.store.put("stripe-session", session_id, session)
        if idempotency:
            self.store.put("stripe-idem", f"{account['id']}:{idempotency}", {"id": session_id})
        return as_json(200, session)

    def _session(self, request: SimRequest, session_id: str) -> dict[str, Any] | None:
        account = self._account(request)
        session = self.store.get("stripe-session", session_id)
        if account is None or session is None or session["account"] != account["id"]:
            return None
        return session

    def get_session(self, request: SimRequest, session_id: str) -> SimResponse:
        session = self._session(request, session_id)
        return as_json(200, session) if session else not_found()

    def get_intent(self, request: SimRequest, intent_id: str) -> SimResponse:
        account = self._account(request)
        intent = self.store.get("stripe-intent", intent_id)
        if account is None or intent is None or intent["account"] != account["id"]:
            return not_found()
        charge = self.store.get("stripe-charge", intent["latest_charge"] or "")
        expanded = "latest_charge" in request.args().get("expand[]", "")
        return as_json(
            200, {**intent, "latest_charge": charge if expanded else intent["latest_charge"]}
        )

    def create_refund(self, request: SimRequest) -> SimResponse:
        account = self._account(request)
        form = request.form()
        intent = self.store.get("stripe-intent", form.get("payment_intent", ""))
        if account is None or intent is None or intent["account"] != account["id"]:
            return _error(404, "No such payment_intent")
        charge = self.store.get("stripe-charge", intent["latest_charge"] or "") or {}
        if intent["status"] != "succeeded":
            return _error(400, "This PaymentIntent does not have a successful charge to refund")
        left = intent["amount"] - charge.get("amount_refunded", 0)
        amount = int(form["amount"]) if form.get("amount", "").isdigit() else left
        if not 0 < amount <= left:
            return _error(400, "Refund amount is greater than the unrefunded amount")
        charge["amount_refunded"] = charge.get("amount_refunded", 0) + amount
        charge["refunded"] = charge["amount_refunded"] >= intent["amount"]
        self.store.put("stripe-charge", charge["id"], charge)
        return as_json(
            200,
            {"id": token("re_", 24), "object": "refund", "amount": amount, "status": "succeeded"},
        )

    def pay_page(self, request: SimRequest, session_id: str) -> SimResponse:
        session = self.store.get("stripe-session", session_id)
        if session is None or session["status"] != "open":
            return as_page("payments/simulator/unknown.html", {"gateway": "Stripe"}, 404)
        return self._page(request, session, declined=False)

    def _page(self, request: SimRequest, session: dict[str, Any], *, declined: bool) -> SimResponse:
        return as_page(
            "payments/simulator/approve.html",
            {
                "gateway": "Stripe",
                "amount": f"{session['amount_total'] / 100:.2f}",
                "currency": session["currency"].upper(),
                "description": "",
                "action": f"{request.base_url}/pay/{session['id']}",
                "decline": True,
                "declined": declined,
            },
        )

    def pay_decision(self, request: SimRequest, session_id: str) -> SimResponse:
        session = self.store.get("stripe-session", session_id)
        if session is None or session["status"] != "open":
            return as_page("payments/simulator/unknown.html", {"gateway": "Stripe"}, 404)
        decision = request.form().get("decision")
        if decision == "decline":
            # As Stripe's own page does, the member stays on it, told of the decline, and
            # may try again or go back: the session stays open.
            intent = self._attempt(session, approved=False)
            self.send_intent_event(session, intent, "payment_intent.payment_failed")
            return self._page(request, session, declined=True)
        if decision != "approve":
            return see_other(session["cancel_url"])
        intent = self._attempt(session, approved=True)
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        self.store.put("stripe-session", session_id, session)
        self.send_event(session, "checkout.session.completed")
        return see_other(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))

    def _attempt(self, session: dict[str, Any], *, approved: bool) -> dict[str, Any]:
        """One try at paying: the session's payment intent gets a charge, succeeded or
        failed. A failed charge leaves the intent asking for another payment method."""
        intent_id = session.get("payment_intent") or token("pi_", 24)
        charge: dict[str, Any] = {
            "id": token("ch_", 24),
            "status": "succeeded" if approved else "failed",
            "amount_refunded": 0,
            "refunded": False,
        }
        intent = {
            "id": intent_id,
            "account": session["account"],
            "amount": session["amount_total"],
            "currency": session["currency"],
            "status": "succeeded" if approved else "requires_payment_method",
            "latest_charge": charge["id"],
            "last_payment_error": None
            if approved
            else {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "charge": charge["id"],
            },
        }
        self.store.put("stripe-charge", str(charge["id"]), charge)
        self.store.put("stripe-intent", intent_id, intent)
        session["payment_intent"] = intent_id
        self.store.put("stripe-session", session["id"], session)
        return intent

    def send_event(self, session: dict[str, Any], event_type: str) -> None:
        self._send(session["account"], event_type, session)

    def send_intent_event(
        self, session: dict[str, Any], intent: dict[str, Any], event_type: str
    ) -> None:
        self._send(session["account"], event_type, intent)

    def _send(self, account_id: str, event_type: str, obj: dict[str, Any]) -> None:
        account = self._account_by_id(account_id)
        if account is None:
            return
        event = {
            "id": token("evt_", 24),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": {k: v for k, v in obj.items() if k != "account"}},
        }
        body = json.dumps(event).encode()
        self.store.queue(
            Outgoing(
                url=account["webhook_url"],
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature_header(
                        account["webhook_secret"], body, int(time.time())
                    ),
                },
                body=body,
                meta={"provider": "stripe", "event_type": event_type, "event_id": str(event["id"])},
            )
        )

    def _account_by_id(self, account_id: str) -> dict[str, Any] | None:
        link = self.store.get("stripe-account-id", account_id)
        return self.store.get("stripe-account", link["key"]) if link else None

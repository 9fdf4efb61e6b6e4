"""Paybox System (Verifone): a signed form posted by the member's browser to Paybox.

The form's ``PBX_`` fields are signed with HMAC-SHA512 under the merchant's secret key
(``PBX_HMAC``). Paybox calls back (IPN, ``PBX_REPONDRE_A``) with the fields named in
``PBX_RETOUR``, the last one ``Sign``: an RSA signature (SHA-1, PKCS#1 v1.5) over the
URL-encoded fields before it, checked with Paybox's public key. The state is then asked
of Paybox Direct (``PPPS.php``): question 00011 finds the transaction by reference,
00017 consults it, 00014 refunds it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import parse_qsl, unquote, urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fortresa.payments.http import GatewayUnavailable
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

# ISO 4217 numeric codes (PBX_DEVISE) of the currencies clubs use.
CURRENCY_CODES = {
    "EUR": "978",
    "USD": "840",
    "GBP": "826",
    "CHF": "756",
    "SEK": "752",
    "CNY": "156",
}
CURRENCY_NAMES = {code: name for name, code in CURRENCY_CODES.items()}
RETURN_FIELDS = "Mt:M;Ref:R;Auto:A;Erreur:E;Trans:S;Appel:T;Sign:K"
PAGE_PATH = "/cgi/MYchoix_pagepaiement.cgi"
DIRECT_PATH = "/PPPS.php"
_STATUS = {
    "Capturé": GatewayStatus.PAID,
    "Remboursé": GatewayStatus.REFUNDED,
    "Refusé": GatewayStatus.FAILED,
    "Annulé": GatewayStatus.CANCELLED,
}


def hmac_sign(key_hex: str, fields: list[tuple[str, str]]) -> str:
    """``PBX_HMAC``: upper-case hex HMAC-SHA512 of ``k=v&k=v`` under the binary key."""
    message = "&".join(f"{name}={value}" for name, value in fields).encode()
    return hmac.new(binascii.unhexlify(key_hex), message, hashlib.sha512).hexdigest().upper()


def split_signed(raw: str) -> tuple[str, str]:
    """The signed part of a Paybox callback and its (URL-decoded, base64) signature."""
    head, sep, sign = raw.rpartition("&Sign=")
    if not sep or not head or not sign:
        raise NotificationRejected("missing_signature", "the Paybox callback is not signed")
    return head, unquote(sign)


def verify_paybox_signature(public_key_pem: str, signed: str, signature_b64: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, binascii.Error):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        # SHA-1 is what Paybox signs with; the choice is theirs, not ours.
        key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    except InvalidSignature:
        return False
    return True


class PayboxProvider(PaymentProvider):
    identifier = "paybox"
    name = "Paybox (Verifone)"
    credential_fields = (
        CredentialField("site", "PBX_SITE", secret=False),
        CredentialField("rang", "PBX_RANG", secret=False),
        CredentialField("identifiant", "PBX_IDENTIFIANT", secret=False),
        CredentialField("hmac_key", "HMAC key (hex)"),
        CredentialField("direct_key", "Paybox Direct key (CLE)"),
        CredentialField("public_key", "Paybox public key (PEM)", secret=False),
    )
    sandbox_origins = ("https://preprod-tpeweb.paybox.com",)
    live_origins = ("https://tpeweb.paybox.com", "https://tpeweb1.paybox.com")
    sandbox_url = "https://preprod-tpeweb.paybox.com"
    live_url = "https://tpeweb.paybox.com"

    @property
    def direct_url(self) -> str:
        if self.base_url in (self.sandbox_url, self.live_url):
            return "https://ppps.paybox.com" if self.live else "https://preprod-ppps.paybox.com"
        return self.base_url

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        currency = CURRENCY_CODES.get(request.currency)
        if currency is None:
            raise GatewayRefused(f"Paybox: unsupported currency {request.currency}")
        fields = [
            ("PBX_SITE", self.credentials["site"]),
            ("PBX_RANG", self.credentials["rang"]),
            ("PBX_IDENTIFIANT", self.credentials["identifiant"]),
            ("PBX_TOTAL", str(cents(request.amount))),
            ("PBX_DEVISE", currency),
            ("PBX_CMD", request.reference),
            ("PBX_PORTEUR", request.payer_email),
            ("PBX_RETOUR", RETURN_FIELDS),
            ("PBX_EFFECTUE", request.return_url),
            ("PBX_REFUSE", request.return_url),
            ("PBX_ATTENTE", request.return_url),
            ("PBX_ANNULE", request.cancel_url),
            ("PBX_REPONDRE_A", request.notify_url),
            ("PBX_RUF1", "POST"),
            ("PBX_HASH", "SHA512"),
            ("PBX_TIME", dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()),
        ]
        fields.append(("PBX_HMAC", hmac_sign(self.credentials["hmac_key"], fields)))
        return Checkout(
            external_reference=request.reference,
            url=f"{self.base_url}{PAGE_PATH}",
            form_fields=tuple(fields),
        )

    def _verified_fields(self, raw: str) -> dict[str, str]:
        public_key = self.credentials.get("public_key", "")
        if not public_key:
            raise NotificationRejected("not_configured", "no Paybox public key is configured")
        signed, signature = split_signed(raw)
        if not verify_paybox_signature(public_key, signed, signature):
            raise NotificationRejected("bad_signature", "the Paybox signature does not verify")
        return dict(parse_qsl(signed, keep_blank_values=True))

    def verify_notification(
        self, *, body: bytes, headers: Mapping[str, str], params: Mapping[str, str]
    ) -> Notification:
        raw = body.decode("ascii", errors="replace") if body else params.get("__raw__", "")
        fields = self._verified_fields(raw)
        amount = fields.get("Mt", "")
        return Notification(
            # Paybox sends no event id: the signed content itself identifies a repeat.
            event_id="ipn-" + hashlib.sha256(raw.encode()).hexdigest(),
            reference=fields.get("Ref", ""),
            external_reference=fields.get("Ref", ""),
            capture_reference=f"{fields.get('Trans', '')}/{fields.get('Appel', '')}",
            amount=from_cents(int(amount)) if amount.isdigit() else None,
            extra={"error": fields.get("Erreur", "")},
        )

    def _direct(self, question: str, **values: str) -> dict[str, str]:
        now = dt.datetime.now(dt.UTC)
        form = {
            "VERSION": "00104",
            "TYPE": question,
            "SITE": self.credentials["site"],
            "RANG": self.credentials["rang"],
            "CLE": self.credentials["direct_key"],
            "NUMQUESTION": f"{secrets.randbelow(10**9) + 1:010d}",
            "DATEQ": now.strftime("%d%m%Y%H%M%S"),
            **values,
        }
        response = self.http.request(
            "POST",
            f"{self.direct_url}{DIRECT_PATH}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode(form).encode(),
        )
        if response.status != 200:
            raise GatewayUnavailable(f"Paybox Direct answered {response.status}")
        answer = dict(parse_qsl(response.body.decode("utf-8", errors="replace")))
        if "CODEREPONSE" not in answer:
            raise GatewayUnavailable("Paybox Direct answered without CODEREPONSE")
        return answer

    def _transaction(self, payment: PaymentRef) -> tuple[str, str] | None:
        trans, _sep, call = payment.capture_reference.partition("/")
        if trans and call:
            return trans, call
        found = self._direct("00011", REFERENCE=payment.reference)
        if found["CODEREPONSE"] != "00000":
            return None
        return found.get("NUMTRANS", ""), found.get("NUMAPPEL", "")

    def fetch_state(self, payment: PaymentRef) -> GatewayState:
        transaction = self._transaction(payment)
        if transaction is None:
            return GatewayState(
                status=GatewayStatus.PENDING,
                amount=None,
                currency=None,
                reference=payment.reference,
                external_reference=payment.external_reference,
                detail="no transaction at Paybox yet",
            )
        trans, call = transaction
        answer = self._direct("00017", NUMTRANS=trans, NUMAPPEL=call, REFERENCE=payment.reference)
        if answer["CODEREPONSE"] != "00000":
            raise GatewayRefused(f"Paybox Direct refused the consultation: {answer['CODEREPONSE']}")
        amount = answer.get("MONTANT", "")
        refunded = answer.get("MONTANT_REMBOURSE", "0")
        status = _STATUS.get(answer.get("STATUS", ""), GatewayStatus.PENDING)
        if status is GatewayStatus.PAID and refunded.isdigit() and int(refunded):
            status = GatewayStatus.PARTIALLY_REFUNDED
        return GatewayState(
            status=status,
            amount=from_cents(int(amount)) if amount.isdigit() else None,
            currency=CURRENCY_NAMES.get(answer.get("DEVISE", "")),
            reference=answer.get("REFERENCE"),
            external_reference=payment.external_reference,
            capture_reference=f"{trans}/{call}",
            refunded_amount=from_cents(int(refunded)) if refunded.isdigit() else Decimal(0),
            detail=answer.get("STATUS", ""),
        )

    def handle_return(self, payment: PaymentRef, params: Mapping[str, str]) -> GatewayState:
        # The return URL carries the same signed fields; they only help find the
        # transaction, and only if the signature holds. Paybox Direct has the say.
        raw = params.get("__raw__", "")
        if raw:
            try:
                fields = self._verified_fields(raw)
            except NotificationRejected:
                fields = {}
            if fields.get("Ref") == payment.reference and fields.get("Trans"):
                payment = PaymentRef(
                    reference=payment.reference,
                    external_reference=payment.external_reference,
                    capture_reference=f"{fields['Trans']}/{fields.get('Appel', '')}",
                    amount=payment.amount,
                    currency=payment.currency,
                )
        return self.fetch_state(payment)

    def refund(self, payment: PaymentRef, amount: Decimal) -> GatewayState:
        transaction = self._transaction(payment)
        if transaction is None:
            raise GatewayRefused("Paybox has no transaction to refund")
        trans, call = transaction
        answer = self._direct(
            "00014",
            NUMTRANS=trans,
            NUMAPPEL=call,
            MONTANT=f"{cents(amount):010d}",
            DEVISE=CURRENCY_CODES.get(payment.currency, ""),
            REFERENCE=payment.reference,
        )
        if answer["CODEREPONSE"] != "00000":
            raise GatewayRefused(f"Paybox Direct refused the refund: {answer['CODEREPONSE']}")
        return self.fetch_state(payment)

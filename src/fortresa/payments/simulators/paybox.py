"""Paybox System simulator: the payment page checks ``PBX_HMAC``, the IPN and the return
carry the ``PBX_RETOUR`` fields signed with the simulator's RSA key (SHA-1, PKCS#1 v1.5,
base64, URL-encoded), and Paybox Direct (``PPPS.php``) answers questions 00011 (find by
reference), 00017 (consult) and 00014 (refund).

``MONTANT_REMBOURSE`` in the 00017 answer is this simulator's own addition, so partial
refunds show; Paybox's own STATUS values are kept as they are.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from fortresa.payments.providers.paybox import RETURN_FIELDS, hmac_sign
from fortresa.payments.simulators.store import Outgoing, SimulatorStore, token
from fortresa.payments.simulators.wsgi import (
    Router,
    SimRequest,
    SimResponse,
    as_form,
    as_page,
    see_other,
)

RETOUR_CODES = {"M": "Mt", "R": "Ref", "A": "Auto", "E": "Erreur", "S": "Trans", "T": "Appel"}


def provision(store: SimulatorStore) -> dict[str, str]:
    site = f"{secrets.randbelow(10**7):07d}"
    credentials = {
        "site": site,
        "rang": "001",
        "identifiant": f"{secrets.randbelow(10**9):09d}",
        "hmac_key": secrets.token_hex(64).upper(),
        "direct_key": token("", 10),
        "public_key": store.public_pem("paybox"),
    }
    store.put("paybox-merchant", f"{site}:001", credentials)
    return credentials


def _digits(length: int) -> str:
    return f"{secrets.randbelow(10**length):0{length}d}"


class PayboxSimulator:
    def __init__(self, store: SimulatorStore) -> None:
        self.store = store
        self.router = Router()
        self.router.add("POST", "/cgi/MYchoix_pagepaiement.cgi", self.payment_page)
        self.router.add("POST", "/decide/(?P<ticket>\\w+)", self.decide)
        self.router.add("POST", "/PPPS.php", self.direct)
        self.router.add("GET", "/pubkey.pem", self.public_key)

    def public_key(self, request: SimRequest) -> SimResponse:
        return SimResponse(200, self.store.public_pem("paybox").encode(), "text/plain")

    def payment_page(self, request: SimRequest) -> SimResponse:
        pairs = request.form_pairs()
        fields = dict(pairs)
        merchant = self.store.get(
            "paybox-merchant", f"{fields.get('PBX_SITE', '')}:{fields.get('PBX_RANG', '')}"
        )
        signed = [(k, v) for k, v in pairs if k != "PBX_HMAC"]
        valid = (
            merchant is not None
            and fields.get("PBX_HASH") == "SHA512"
            and hmac.compare_digest(
                hmac_sign(merchant["hmac_key"], signed), fields.get("PBX_HMAC", "").upper()
            )
        )
        if not valid or not fields.get("PBX_TOTAL", "").isdigit():
            return as_page("payments/simulator/unknown.html", {"gateway": "Paybox"}, 400)
        ticket = token("", 24)
        self.store.put("paybox-ticket", ticket, {"fields": fields, "used": False})
        return as_page(
            "payments/simulator/approve.html",
            {
                "gateway": "Paybox",
                "amount": f"{int(fields['PBX_TOTAL']) / 100:.2f}",
                "currency": fields.get("PBX_DEVISE", ""),
                "description": fields.get("PBX_CMD", ""),
                "action": f"{request.base_url}/decide/{ticket}",
                "decline": True,
            },
        )

    def _signed_return(self, spec: str, values: dict[str, str]) -> str:
        parts = []
        for item in spec.split(";"):
            name, _sep, code = item.partition(":")
            if code == "K":
                continue
            parts.append(f"{name}={quote(values.get(RETOUR_CODES.get(code, ''), ''), safe='')}")
        data = "&".join(parts)
        signature = self.store.signing_key("paybox").sign(
            data.encode(),
            padding.PKCS1v15(),
            hashes.SHA1(),  # noqa: S303 - Paybox's choice
        )
        return f"{data}&Sign={quote(base64.b64encode(signature).decode(), safe='')}"

    def decide(self, request: SimRequest, ticket: str) -> SimResponse:
        record = self.store.get("paybox-ticket", ticket)
        if record is None or record["used"]:
            return as_page("payments/simulator/unknown.html", {"gateway": "Paybox"}, 404)
        fields = record["fields"]
        record["used"] = True
        self.store.put("paybox-ticket", ticket, record)
        decision = request.form().get("decision", "")
        if decision == "cancel":
            return see_other(fields["PBX_ANNULE"])
        approved = decision == "approve"
        trans, call = _digits(10), _digits(10)
        transaction = {
            "site": fields["PBX_SITE"],
            "rang": fields["PBX_RANG"],
            "reference": fields["PBX_CMD"],
            "amount": int(fields["PBX_TOTAL"]),
            "currency": fields["PBX_DEVISE"],
            "status": "Capturé" if approved else "Refusé",
            "refunded": 0,
            "trans": trans,
            "call": call,
        }
        self.store.put("paybox-trans", trans, transaction)
        self.store.put("paybox-ref", f"{fields['PBX_SITE']}:{fields['PBX_CMD']}", {"trans": trans})
        values = {
            "Mt": fields["PBX_TOTAL"],
            "Ref": fields["PBX_CMD"],
            "Auto": _digits(6) if approved else "",
            "Erreur": "00000" if approved else "00105",
            "Trans": trans,
            "Appel": call,
        }
        signed = self._signed_return(fields.get("PBX_RETOUR", RETURN_FIELDS), values)
        if fields.get("PBX_REPONDRE_A"):
            self.store.queue(
                Outgoing(
                    url=fields["PBX_REPONDRE_A"],
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    body=signed.encode(),
                    meta={"provider": "paybox", "reference": fields["PBX_CMD"]},
                )
            )
        target = fields["PBX_EFFECTUE"] if approved else fields["PBX_REFUSE"]
        separator = "&" if "?" in target else "?"
        return see_other(f"{target}{separator}{signed}")

    def direct(self, request: SimRequest) -> SimResponse:
        form = request.form()
        merchant = self.store.get(
            "paybox-merchant", f"{form.get('SITE', '')}:{form.get('RANG', '')}"
        )
        if merchant is None or not hmac.compare_digest(merchant["direct_key"], form.get("CLE", "")):
            return as_form({"CODEREPONSE": "00006", "COMMENTAIRE": "Access refused"})
        question = form.get("TYPE", "")
        base = {
            "NUMQUESTION": form.get("NUMQUESTION", ""),
            "SITE": form["SITE"],
            "RANG": form["RANG"],
        }
        if question == "00011":
            link = self.store.get("paybox-ref", f"{form['SITE']}:{form.get('REFERENCE', '')}")
            if link is None:
                return as_form({**base, "CODEREPONSE": "00015", "COMMENTAIRE": "Not found"})
            found = self.store.get("paybox-trans", link["trans"]) or {}
            return as_form(
                {
                    **base,
                    "CODEREPONSE": "00000",
                    "NUMTRANS": found["trans"],
                    "NUMAPPEL": found["call"],
                }
            )
        transaction = self.store.get("paybox-trans", form.get("NUMTRANS", ""))
        if (
            transaction is None
            or transaction["site"] != form["SITE"]
            or transaction["call"] != form.get("NUMAPPEL", "")
        ):
            return as_form({**base, "CODEREPONSE": "00015", "COMMENTAIRE": "Unknown transaction"})
        if question == "00017":
            return as_form(self._consultation(base, transaction))
        if question == "00014":
            amount = form.get("MONTANT", "")
            left = transaction["amount"] - transaction["refunded"]
            if (
                transaction["status"] != "Capturé"
                or not amount.isdigit()
                or not 0 < int(amount) <= left
            ):
                return as_form({**base, "CODEREPONSE": "00004", "COMMENTAIRE": "Refund refused"})
            transaction["refunded"] += int(amount)
            if transaction["refunded"] >= transaction["amount"]:
                transaction["status"] = "Remboursé"
            self.store.put("paybox-trans", transaction["trans"], transaction)
            return as_form({**base, "CODEREPONSE": "00000", "NUMTRANS": transaction["trans"]})
        return as_form({**base, "CODEREPONSE": "00003", "COMMENTAIRE": "Unknown question"})

    @staticmethod
    def _consultation(base: dict[str, str], transaction: dict[str, Any]) -> dict[str, str]:
        return {
            **base,
            "CODEREPONSE": "00000",
            "NUMTRANS": transaction["trans"],
            "NUMAPPEL": transaction["call"],
            "REFERENCE": transaction["reference"],
            "MONTANT": str(transaction["amount"]),
            "DEVISE": transaction["currency"],
            "STATUS": transaction["status"],
            "MONTANT_REMBOURSE": str(transaction["refunded"]),
        }


__all__ = ["PayboxSimulator", "provision"]

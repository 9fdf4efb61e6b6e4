"""Signed, expiring tokens in unsubscribe, preference and confirmation links.

The token carries the address (and, for one-click links, the category and club) signed
with the project secret and a purpose salt; it expires after ``token_max_age_days``.
Nobody can forge one for another address, and a link cannot serve another purpose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing

from fortresa.notifications.config import email_config

_PREFERENCES_SALT = "fortresa.notifications.preferences"
_CONFIRM_SALT = "fortresa.notifications.confirm-address"
CONFIRM_MAX_AGE = dt.timedelta(days=2)


class InvalidToken(Exception):
    """The token is malformed, forged or expired."""


@dataclass(frozen=True)
class PreferenceToken:
    address: str
    category: str = ""
    club_id: int | None = None


def make_preference_token(address: str, category: str = "", club_id: int | None = None) -> str:
    payload: dict[str, object] = {"a": address}
    if category:
        payload["c"] = category
    if club_id is not None:
        payload["k"] = club_id
    return signing.dumps(payload, salt=_PREFERENCES_SALT, compress=True)


def read_preference_token(token: str) -> PreferenceToken:
    max_age = dt.timedelta(days=email_config().token_max_age_days)
    try:
        payload = signing.loads(token, salt=_PREFERENCES_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken(str(exc)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), str):
        raise InvalidToken("malformed payload")
    club_id = payload.get("k")
    return PreferenceToken(
        address=payload["a"],
        category=str(payload.get("c", "")),
        club_id=club_id if isinstance(club_id, int) else None,
    )


def make_confirmation_token(address: str) -> str:
    return signing.dumps({"a": address}, salt=_CONFIRM_SALT)


def read_confirmation_token(token: str) -> str:
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken(str(exc)) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), str):
        raise InvalidToken("malformed payload")
    return str(payload["a"])

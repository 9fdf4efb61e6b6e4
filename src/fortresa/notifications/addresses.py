"""Addresses and header text: what reaches a header is one clean line, or it is refused.

A display name or subject can come from a member (their name, a club's mailing subject);
control characters are replaced by spaces so nothing can start a new header line. A
recipient address is never repaired: a malformed one is refused with a clear message.
"""

from __future__ import annotations

import unicodedata
from email.headerregistry import Address

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_HEADER_TEXT = 200


class InvalidRecipient(ValueError):
    """The recipient address is not a single valid email address."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(
            _("“%(address)s” is not a valid email address.") % {"address": address[:100]}
        )


def one_line(text: str, *, limit: int = MAX_HEADER_TEXT) -> str:
    """``text`` as one line of printable characters, whitespace runs collapsed."""
    cleaned = "".join(
        " " if unicodedata.category(char)[0] in {"C", "Z"} else char for char in str(text)
    )
    return " ".join(cleaned.split())[:limit]


def normalise_address(address: str) -> str:
    """The address, checked and lower-cased; raises ``InvalidRecipient``."""
    candidate = str(address)
    if candidate != candidate.strip() or any(
        unicodedata.category(char)[0] in {"C", "Z"} or char in ",;<>\"'()[]\\" for char in candidate
    ):
        raise InvalidRecipient(candidate)
    try:
        validate_email(candidate)
    except ValidationError:
        raise InvalidRecipient(candidate) from None
    local, _at, domain = candidate.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidRecipient(candidate) from None
    return f"{local}@{domain}".lower()


def mailbox(address: str, name: str = "") -> str:
    """A ``To``/``From`` value: the name cleaned to one line and quoted as needed."""
    local, _at, domain = address.rpartition("@")
    return str(Address(display_name=one_line(name), username=local, domain=domain))

"""Password validators beyond Django's: a bundled offline list of breached passwords."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s",
                       "5": "s", "7": "t", "+": "t"})  # fmt: skip
_EDGE = "0123456789!@#$%^&*()_+-=.,;:?~ "


@lru_cache(maxsize=1)
def breached_passwords() -> frozenset[str]:
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _cores(password: str) -> set[str]:
    """The password and the forms attackers try first: lowercase, digits and symbols
    stripped from the ends ("Password2024!"), common letter substitutions ("p@ssw0rd")."""
    lowered = password.lower()
    stripped = lowered.strip(_EDGE)
    return {lowered, stripped, lowered.translate(_LEET), stripped.translate(_LEET).strip(_EDGE)}


def _is_repetition(password: str, known: frozenset[str]) -> bool:
    lowered = password.lower()
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return len(lowered[:size]) < 4 or lowered[:size] in known
    return False


class BreachedPasswordValidator:
    """Refuses passwords found in the bundled list of breached passwords, including their
    decorated forms. Checked offline: nothing about the password leaves the server."""

    def validate(self, password: str, user: object = None) -> None:
        known = breached_passwords()
        if any(core in known for core in _cores(password) if core) or _is_repetition(
            password, known
        ):
            raise ValidationError(
                _(
                    "This password, or a password very like it, appears in lists of "
                    "passwords leaked in data breaches. Choose another one."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Your password must not appear in lists of breached passwords.")

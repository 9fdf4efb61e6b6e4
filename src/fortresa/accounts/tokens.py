"""Signed, purpose-salted, single-use, expiring tokens for email links.

The password-reset token is Django's: its hash covers the password hash and the last
login, so it stops working once used. The unlock token names the lock it lifts; once
that lock is lifted (or replaced by a newer one) the token no longer matches anything.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.http import base36_to_int

from fortresa.accounts.models import User

_UNLOCK_SALT = "fortresa.accounts.unlock"


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's generator with our own, shorter lifetime."""

    key_salt = "fortresa.accounts.password_reset"

    def __init__(self, lifetime: dt.timedelta) -> None:
        super().__init__()
        self.lifetime = lifetime

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not token or len(token) > 100 or not super().check_token(user, token):
            return False
        ts_b36 = token.split("-")[0]
        try:
            issued = base36_to_int(ts_b36)
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - issued
        return 0 <= age <= self.lifetime.total_seconds()


def make_unlock_token(user: User, locked_until: dt.datetime) -> str:
    return signing.dumps(
        {"u": user.pk, "l": locked_until.isoformat()}, salt=_UNLOCK_SALT, compress=True
    )


def read_unlock_token(token: str, *, max_age: dt.timedelta) -> tuple[int, str] | None:
    """(user id, the lock's end as ISO text) for a good, unexpired token; else None."""
    if not token or len(token) > 300:
        return None
    try:
        payload = signing.loads(token, salt=_UNLOCK_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, lock = payload.get("u"), payload.get("l")
    if not isinstance(user_id, int) or not isinstance(lock, str):
        return None
    return user_id, lock

"""Helpers for tests anywhere in the suite that need a staff user past the two-factor gate.

``sign_in_verified(client, user)`` enrols an authenticator app through the real service
(when the user has no second factor yet) and signs the client in with a session that
has proved it, as the verification page would leave it.
"""

from __future__ import annotations

import time

import pyotp
from django.test import Client

from fortresa.accounts.models import User
from fortresa.accounts.session_tracking import SESSION_VERIFIED_AT
from fortresa.accounts.two_factor import enable_totp, has_second_factor, new_totp_secret

# Secrets of users enrolled by ``enrol_totp`` in this process, to compute their codes.
TOTP_SECRETS: dict[int, str] = {}


def enrol_totp(user: User) -> str:
    secret = new_totp_secret()
    codes = enable_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now(), ip_address=None)
    assert codes is not None
    TOTP_SECRETS[user.pk] = secret
    return secret


def totp_code(secret: str, *, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def sign_in_verified(client: Client, user: User) -> Client:
    if not has_second_factor(user):
        enrol_totp(user)
    client.force_login(user)
    session = client.session
    session[SESSION_VERIFIED_AT] = time.time()
    session.save()
    return client

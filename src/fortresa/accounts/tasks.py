"""Emails about an account's security, sent by the workers after the change is committed.

Each task re-reads the state it reports, so a late run tells what is true now: an
account unlocked before its unlock email went out gets none.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from fortresa.accounts.conf import login_policy
from fortresa.accounts.models import User
from fortresa.accounts.tokens import PasswordResetTokens, make_unlock_token


def _send(user: User, kind: str, context: dict[str, object]) -> None:
    """Queue an account email through the one mail pipeline (DKIM, limits, log).

    Imported here, not at module level: the pipeline sits above accounts and reads
    users, so accounts only reaches it when a message actually goes out.
    """
    from fortresa.notifications.services import send_email

    send_email(to=user.email, kind=kind, context={"user": user, **context}, user=user)


def _absolute(path: str) -> str:
    return settings.FORTRESA_SITE_URL.rstrip("/") + path


def password_reset_link(user: User) -> str:
    token = PasswordResetTokens(login_policy().reset_link_lifetime).make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return _absolute(reverse("accounts:password_reset_confirm", args=[uid, token]))


@shared_task
def send_unlock_email(user_id: int) -> bool:
    """Tell a locked user, with a single-use unlock link and a password-reset link."""
    from fortresa.accounts.guard import LoginGuard

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    locked_until = LoginGuard().locked_until(user.email)
    if locked_until is None:
        return False
    token = make_unlock_token(user, locked_until)
    _send(
        user,
        "account_locked",
        {
            "unlock_url": _absolute(reverse("accounts:unlock", args=[token])),
            "reset_url": password_reset_link(user),
            "locked_until": locked_until,
        },
    )
    return True


@shared_task
def send_password_reset_email(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    _send(user, "password_reset", {"reset_url": password_reset_link(user)})
    return True


@shared_task
def send_security_notice(user_id: int, kind: str) -> bool:
    """Tell the user a security setting of theirs changed (kind: a SecurityEvent kind)."""
    from fortresa.accounts.models import SecurityEvent

    user = User.objects.filter(pk=user_id).first()
    if user is None or kind not in SecurityEvent.Kind.values:
        return False
    with translation.override(user.preferred_language):
        label = str(SecurityEvent.Kind(kind).label)
    _send(user, "security_notice", {"change": label})
    return True


@shared_task
def purge_login_throttle() -> int:
    """Drop database lockout counters nobody can be affected by any more (a day after
    the longest window); Redis expires its own keys. Run daily by the scheduler."""
    from fortresa.accounts.throttle import purge_database_store

    return purge_database_store(older_than=login_policy().lockout_max * 2)

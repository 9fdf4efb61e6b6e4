"""State changes of accounts: creation, profile, unlocking, passwords, security notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.accounts.conf import login_policy
from fortresa.accounts.events import record_security_event
from fortresa.accounts.guard import LoginGuard, account_key
from fortresa.accounts.models import SecurityEvent, User, UserSession
from fortresa.accounts.throttle import throttle_store
from fortresa.accounts.tokens import read_unlock_token
from fortresa.core.audit import record_event


def create_account(
    *,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str = "en",
    ip_address: str | None = None,
) -> User:
    """Create a member account; the caller has validated the password."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            preferred_language=preferred_language,
        )
        record_event(
            action="account.created", actor=user, target=f"user:{user.pk}", ip_address=ip_address
        )
    return user


def update_profile(
    *,
    user: User,
    full_name: str,
    phone: str,
    preferred_language: str,
    actor: User,
    share_contact_details: bool | None = None,
) -> User:
    with transaction.atomic():
        values: dict[str, Any] = {
            "full_name": full_name,
            "phone": phone,
            "preferred_language": preferred_language,
        }
        if share_contact_details is not None:
            values["share_contact_details"] = share_contact_details
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name, value in values.items():
            setattr(user, name, value)
        user.save(update_fields=list(values))
        if changed:
            record_event(
                action="account.profile_changed",
                actor=actor,
                target=f"user:{user.pk}",
                details={"fields": changed},
            )
    return user


def notify_security_change(
    *,
    user: User,
    kind: SecurityEvent.Kind,
    actor: User | None,
    ip_address: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a change to the user's security settings and email them about it."""
    from fortresa.accounts.tasks import send_security_notice

    with transaction.atomic():
        record_security_event(
            kind=kind, user=user, actor=actor, ip_address=ip_address, details=details
        )
        record_event(
            action=f"security.{kind.value}",
            actor=actor,
            target=f"user:{user.pk}",
            ip_address=ip_address,
            details=details,
        )
        user_id = user.pk
        transaction.on_commit(lambda: send_security_notice.delay(user_id, kind.value))


def unlock_account(*, user: User, actor: User | None, ip_address: str | None, via: str) -> None:
    """Lift a lockout (``via``: "link", "password_reset" or "staff")."""
    LoginGuard().unlock(email=user.email)
    with transaction.atomic():
        record_security_event(
            kind=SecurityEvent.Kind.ACCOUNT_UNLOCKED,
            user=user,
            actor=actor,
            ip_address=ip_address,
            details={"via": via},
        )
        record_event(
            action="auth.unlocked",
            actor=actor,
            target=f"user:{user.pk}",
            ip_address=ip_address,
            details={"via": via},
        )


def user_for_unlock_token(token: str) -> User | None:
    """The locked user a still-valid unlock link names, or None (bad, expired, used)."""
    found = read_unlock_token(token, max_age=login_policy().unlock_link_lifetime)
    if found is None:
        return None
    user = User.objects.filter(pk=found[0], is_active=True).first()
    if user is None:
        return None
    locked_until = LoginGuard().locked_until(user.email)
    # Single use: the link names one lock; once lifted or replaced it matches nothing.
    if locked_until is None or locked_until.isoformat() != found[1]:
        return None
    return user


def unlock_with_token(*, token: str, ip_address: str | None) -> User | None:
    user = user_for_unlock_token(token)
    if user is not None:
        unlock_account(user=user, actor=user, ip_address=ip_address, via="link")
    return user


def request_password_reset(*, email: str, ip_address: str | None) -> None:
    """Email a single-use reset link if ``email`` names an active account.

    The caller shows the same page whatever happens, so nobody learns whether an
    account exists; a few emails per address per hour at most.
    """
    from fortresa.accounts.tasks import send_password_reset_email

    policy = login_policy()
    if not throttle_store().reserve(
        f"reset:{account_key(email)}",
        now=timezone.now(),
        limit=policy.emails_per_hour,
        window=dt.timedelta(hours=1),
    ):
        return
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    record_security_event(
        kind=SecurityEvent.Kind.PASSWORD_RESET_REQUESTED, user=user, ip_address=ip_address
    )
    user_id = user.pk
    transaction.on_commit(lambda: send_password_reset_email.delay(user_id))


def end_sessions(*, user: User, keep: UserSession | None = None) -> int:
    """End every live session of ``user`` (except ``keep``) on the server."""
    live = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keep is not None:
        live = live.exclude(pk=keep.pk)
    return live.update(ended_at=timezone.now())


def set_new_password(
    *,
    user: User,
    password: str,
    actor: User | None,
    ip_address: str | None,
    keep_session: UserSession | None = None,
    via: str,
) -> None:
    """Change the password (validated by the caller), end the other sessions, and
    lift any lockout: whoever can set the password owns the account."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password", "password_changed_at"])
        end_sessions(user=user, keep=keep_session)
        notify_security_change(
            user=user,
            kind=SecurityEvent.Kind.PASSWORD_CHANGED,
            actor=actor,
            ip_address=ip_address,
            details={"via": via},
        )
    if LoginGuard().locked_until(user.email) is not None:
        unlock_account(user=user, actor=actor, ip_address=ip_address, via="password_reset")
    else:
        LoginGuard().succeeded(email=user.email)


def record_personal_data_access(
    *, subject: User, actor: User, club_id: int, ip_address: str | None, what: str
) -> None:
    """Staff looked at a member's personal data; the member reads this on their
    privacy page (``accounts:privacy``)."""
    record_security_event(
        kind=SecurityEvent.Kind.PERSONAL_DATA_VIEWED,
        user=subject,
        actor=actor,
        ip_address=ip_address,
        details={"club_id": club_id, "what": what[:100]},
    )

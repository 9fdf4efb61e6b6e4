"""The login guard: lockout per account, throttling per source, a cap per account per hour.

Every attempt goes through ``admit`` before a password is checked. The key of an
account is a keyed hash of the email address as typed, so an address with no account
behaves exactly like one with an account: it locks after the same failures, gets the
same answers, and costs the same hashing work (``spend_hashing_work``).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from fortresa.accounts.conf import LoginPolicy, login_policy
from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent, User
from fortresa.accounts.throttle import ThrottleStore, throttle_store
from fortresa.core.audit import record_event


def account_key(email: str) -> str:
    return salted_hmac("fortresa.accounts.login-key", email.strip().lower()).hexdigest()


def source_key(ip: str | None) -> str:
    """Addresses are throttled per host for IPv4 and per /64 for IPv6 (one subscriber)."""
    if not ip:
        return "ip:unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address}"


def spend_hashing_work(password: str) -> None:
    """Hash once for an attempt that is refused without a check, as Django does for
    an unknown user: a refused attempt costs the same time as an evaluated one."""
    User().set_password(password)


@dataclass(frozen=True)
class Admission:
    admitted: bool
    reason: str  # "ok", "account_locked", "source_throttled", "account_hourly_cap"


class LoginGuard:
    def __init__(self, store: ThrottleStore | None = None, policy: LoginPolicy | None = None):
        self.store = store or throttle_store()
        self.policy = policy or login_policy()

    def locked_until(self, email: str) -> dt.datetime | None:
        return self.store.locked_until(account_key(email), now=timezone.now())

    def admit(self, *, email: str, ip: str | None, user: User | None) -> Admission:
        """Decide whether this attempt's password may be checked at all."""
        now = timezone.now()
        key = account_key(email)
        reason = "ok"
        if (
            self.store.count(source_key(ip), now=now, window=self.policy.ip_failure_window)
            >= self.policy.ip_failure_limit
        ):
            reason = "source_throttled"
        elif self.store.locked_until(key, now=now) is not None:
            reason = "account_locked"
        elif not self.store.reserve(
            f"attempts:{key}",
            now=now,
            limit=self.policy.account_attempts_per_hour,
            window=dt.timedelta(hours=1),
        ):
            reason = "account_hourly_cap"
        if reason != "ok":
            record_security_event(
                kind=SecurityEvent.Kind.LOGIN_THROTTLED,
                user=user,
                ip_address=ip,
                details={"reason": reason, "evaluated": False},
            )
        return Admission(reason == "ok", reason)

    def failed(
        self, *, email: str, ip: str | None, user: User | None, second_factor: bool = False
    ) -> dt.datetime | None:
        """Count an evaluated failure; returns the lock's end when this failure locked."""
        now = timezone.now()
        policy = self.policy
        self.store.reserve(source_key(ip), now=now, limit=-1, window=policy.ip_failure_window)
        outcome = self.store.register_failure(
            account_key(email),
            now=now,
            threshold=policy.lockout_threshold,
            base=policy.lockout_base,
            maximum=policy.lockout_max,
        )
        kind = (
            SecurityEvent.Kind.SECOND_FACTOR_FAILED
            if second_factor
            else SecurityEvent.Kind.LOGIN_FAILED
        )
        record_security_event(
            kind=kind,
            user=user,
            ip_address=ip,
            details={"evaluated": True, "consecutive": outcome.failures},
        )
        if outcome.locked_until is not None:
            self._locked(user, ip, outcome.locked_until)
        return outcome.locked_until

    def _locked(self, user: User | None, ip: str | None, until: dt.datetime) -> None:
        details = {"locked_until": until.isoformat()}
        record_security_event(
            kind=SecurityEvent.Kind.ACCOUNT_LOCKED, user=user, ip_address=ip, details=details
        )
        if user is None:
            return
        record_event(
            action="auth.locked",
            actor=None,
            target=f"user:{user.pk}",
            ip_address=ip,
            details=details,
        )
        from fortresa.accounts.tasks import send_unlock_email

        user_id = user.pk
        transaction.on_commit(lambda: send_unlock_email.delay(user_id))

    def succeeded(self, *, email: str) -> None:
        self.store.reset(account_key(email))

    def unlock(self, *, email: str) -> None:
        self.store.reset(account_key(email))

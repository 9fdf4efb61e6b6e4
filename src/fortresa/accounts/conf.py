"""Login-security policy as data: thresholds and durations read once from the environment.

``login_policy()`` reads the ``FORTRESA_*`` variables at first use (never at import
time) and keeps the result; tests build a ``LoginPolicy`` directly or clear the cache.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from fortresa.core.env import ConfigError, Env


@dataclass(frozen=True)
class LoginPolicy:
    # Account lockout: after ``lockout_threshold`` consecutive failures the account is
    # locked for ``lockout_base``, doubled at each further lockout, at most ``lockout_max``.
    lockout_threshold: int = 5
    lockout_base: dt.timedelta = dt.timedelta(minutes=15)
    lockout_max: dt.timedelta = dt.timedelta(hours=24)
    # Whatever the number of source addresses, no more password checks than this per
    # account per sliding hour (NIST SP 800-63B 5.2.2, OWASP ASVS V2.2.1).
    account_attempts_per_hour: int = 100
    # Credential stuffing: one source failing against many accounts is throttled.
    ip_failure_limit: int = 30
    ip_failure_window: dt.timedelta = dt.timedelta(minutes=15)
    # Password-reset and unlock emails per address per hour.
    emails_per_hour: int = 3
    unlock_link_lifetime: dt.timedelta = dt.timedelta(hours=24)
    reset_link_lifetime: dt.timedelta = dt.timedelta(hours=1)
    # Staff and admin passwords expire; 0 days turns it off. Members are never forced.
    staff_password_max_age: dt.timedelta | None = dt.timedelta(days=60)
    member_session_idle: dt.timedelta = dt.timedelta(hours=2)
    member_session_absolute: dt.timedelta = dt.timedelta(hours=12)
    staff_session_idle: dt.timedelta = dt.timedelta(minutes=30)
    staff_session_absolute: dt.timedelta = dt.timedelta(hours=8)
    # A "fresh sign-in" for sensitive changes (turning two-factor off, removing a passkey).
    reauthentication_window: dt.timedelta = dt.timedelta(minutes=5)
    # A password accepted but its second factor not yet given is forgotten after this.
    second_factor_window: dt.timedelta = dt.timedelta(minutes=5)
    ops_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )


def _networks(
    env: Env, name: str, default: list[str]
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in env.items(name, default))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a comma-separated list of CIDRs: {exc}") from None


def read_login_policy(env: Env) -> LoginPolicy:
    minutes = dt.timedelta(minutes=1)
    max_age_days = env.integer("FORTRESA_STAFF_PASSWORD_MAX_AGE_DAYS", 60, minimum=0)
    return LoginPolicy(
        lockout_threshold=env.integer("FORTRESA_LOCKOUT_THRESHOLD", 5, minimum=1),
        lockout_base=env.integer("FORTRESA_LOCKOUT_MINUTES", 15, minimum=1) * minutes,
        lockout_max=env.integer("FORTRESA_LOCKOUT_MAX_HOURS", 24, minimum=1) * 60 * minutes,
        account_attempts_per_hour=env.integer("FORTRESA_ACCOUNT_ATTEMPTS_PER_HOUR", 100, minimum=1),
        ip_failure_limit=env.integer("FORTRESA_IP_FAILURE_LIMIT", 30, minimum=1),
        ip_failure_window=env.integer("FORTRESA_IP_FAILURE_WINDOW_MINUTES", 15, minimum=1)
        * minutes,
        staff_password_max_age=dt.timedelta(days=max_age_days) if max_age_days else None,
        member_session_idle=env.integer("FORTRESA_SESSION_IDLE_MINUTES", 120, minimum=1) * minutes,
        member_session_absolute=env.integer("FORTRESA_SESSION_MAX_HOURS", 12, minimum=1)
        * 60
        * minutes,
        staff_session_idle=env.integer("FORTRESA_STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
        * minutes,
        staff_session_absolute=env.integer("FORTRESA_STAFF_SESSION_MAX_HOURS", 8, minimum=1)
        * 60
        * minutes,
        ops_allowed_networks=_networks(
            env, "FORTRESA_OPS_ALLOWED_CIDRS", ["127.0.0.0/8", "::1/128"]
        ),
    )


@lru_cache(maxsize=1)
def login_policy() -> LoginPolicy:
    return read_login_policy(Env())

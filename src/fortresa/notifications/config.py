"""Email pipeline settings, read once by ``settings.py`` through ``core.env.Env``.

This module imports nothing from Django's ORM: settings import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from fortresa.core.env import ConfigError, Env

# Rules as data: ``scope`` is what is counted (recipient address, triggering IP, triggering
# account, club), ``kinds`` the email kinds the rule covers ("*" for all), ``limit`` per
# ``window`` seconds. Every rule that matches a message must allow it.
DEFAULT_RATE_LIMITS: tuple[dict[str, Any], ...] = (
    {
        "name": "recipient-sensitive",
        "scope": "recipient",
        "kinds": ["password_reset", "account_locked", "club_invitation", "preferences_link"],
        "limit": 5,
        "window": 3600,
    },
    {"name": "recipient", "scope": "recipient", "kinds": "*", "limit": 40, "window": 3600},
    {"name": "ip", "scope": "ip", "kinds": "*", "limit": 30, "window": 3600},
    {"name": "account", "scope": "account", "kinds": "*", "limit": 100, "window": 3600},
    {"name": "club", "scope": "club", "kinds": "*", "limit": 5000, "window": 3600},
)


@dataclass(frozen=True)
class EmailConfig:
    """Everything the pipeline needs besides Django's own ``EMAIL_*`` connection settings."""

    from_email: str = "Fortresa <no-reply@localhost>"
    domain: str = "localhost"
    dkim_selector: str = "fortresa1"
    dkim_ed25519_selector: str = ""
    dkim_key_dir: Path = Path("var/secrets/dkim")
    # Embedded and test profiles create a missing key on first use; production refuses.
    generate_keys: bool = True
    spf_mechanisms: tuple[str, ...] = ("mx",)
    dmarc_policy: str = "quarantine"
    dmarc_rua: str = ""
    unsubscribe_mailto: str = ""
    token_max_age_days: int = 90
    webhook_secret: str = ""
    max_attempts: int = 8
    retry_base_seconds: int = 60
    rate_limits: tuple[dict[str, Any], ...] = field(default=DEFAULT_RATE_LIMITS)
    # The test profile counts each test's messages apart (pytest names the running test
    # in PYTEST_CURRENT_TEST), so tests sharing the on-disk cache never see each other.
    limits_per_test: bool = False

    @property
    def from_address(self) -> str:
        return parseaddr(self.from_email)[1]


def email_config_from_env(env: Env, *, var_dir: Path, from_email: str, profile: str) -> EmailConfig:
    address = parseaddr(from_email)[1]
    if "@" not in address:
        raise ConfigError(f"FORTRESA_FROM_EMAIL must contain an address, got {from_email!r}")
    domain = env.text("FORTRESA_EMAIL_DOMAIN", address.rsplit("@", 1)[1]).strip().lower()
    policy = env.choice("FORTRESA_DMARC_POLICY", ("quarantine", "reject", "none"), "quarantine")
    has_secret = env.has("FORTRESA_EMAIL_WEBHOOK_SECRET") or env.has(
        "FORTRESA_EMAIL_WEBHOOK_SECRET_FILE"
    )
    return EmailConfig(
        from_email=from_email,
        domain=domain,
        dkim_selector=env.text("FORTRESA_DKIM_SELECTOR", "fortresa1"),
        dkim_ed25519_selector=env.text("FORTRESA_DKIM_ED25519_SELECTOR", ""),
        dkim_key_dir=Path(env.text("FORTRESA_DKIM_KEY_DIR", str(var_dir / "secrets" / "dkim"))),
        generate_keys=profile != "production",
        spf_mechanisms=tuple(env.items("FORTRESA_EMAIL_SPF", ["mx"])),
        dmarc_policy=policy,
        dmarc_rua=env.text("FORTRESA_DMARC_RUA", f"mailto:dmarc-reports@{domain}"),
        unsubscribe_mailto=env.text("FORTRESA_UNSUBSCRIBE_MAILTO", f"unsubscribe@{domain}"),
        token_max_age_days=env.integer("FORTRESA_EMAIL_TOKEN_DAYS", 90, minimum=1),
        webhook_secret=env.secret("FORTRESA_EMAIL_WEBHOOK_SECRET") if has_secret else "",
        max_attempts=env.integer("FORTRESA_EMAIL_MAX_ATTEMPTS", 8, minimum=1),
        retry_base_seconds=env.integer("FORTRESA_EMAIL_RETRY_SECONDS", 60, minimum=1),
        limits_per_test=profile == "test",
    )


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The notifications entries in ``CELERY_BEAT_SCHEDULE``: retry what is due."""
    return {
        "notifications-deliver-due": {
            "task": "fortresa.notifications.tasks.deliver_due_messages",
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
    }


def email_config() -> EmailConfig:
    """The current settings; call it when needed, never at import time."""
    from django.conf import settings

    config = getattr(settings, "FORTRESA_EMAIL", None)
    return config if isinstance(config, EmailConfig) else EmailConfig()

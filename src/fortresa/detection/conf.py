"""Detection settings, read from ``django.conf.settings`` when a component is built."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from django.conf import settings

MODES = ("monitor", "block")


@dataclass(frozen=True)
class DetectionSettings:
    mode: str = "monitor"
    security_emails: tuple[str, ...] = ()
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_attempts: int = 4
    dedup_seconds: int = 3600
    db_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    db_app_roles: tuple[str, ...] = ()
    db_app_hosts: tuple[str, ...] = ()
    db_expected_applications: tuple[str, ...] = ()
    db_failure_burst: int = 5
    db_failure_window_seconds: int = 300
    db_large_read_rows: int = 10000
    db_unfamiliar_days: int = 60
    account_failure_burst: int = 10
    stuffing_accounts: int = 5
    denial_burst: int = 20
    export_burst: int = 3
    burst_window_seconds: int = 600
    extra: dict[str, str] = field(default_factory=dict)


def detection_settings() -> DetectionSettings:
    """The current settings; call it when a component is built, not at import time."""
    mode = str(getattr(settings, "FORTRESA_DETECTION_MODE", "monitor")).lower()
    cidrs = getattr(settings, "FORTRESA_DB_ALLOWED_CIDRS", ["127.0.0.1/32", "::1/128"])
    return DetectionSettings(
        mode=mode if mode in MODES else "monitor",
        security_emails=tuple(getattr(settings, "FORTRESA_SECURITY_EMAILS", ())),
        webhook_url=str(getattr(settings, "FORTRESA_ALERT_WEBHOOK_URL", "")),
        webhook_secret=str(getattr(settings, "FORTRESA_ALERT_WEBHOOK_SECRET", "")),
        webhook_attempts=int(getattr(settings, "FORTRESA_ALERT_WEBHOOK_ATTEMPTS", 4)),
        dedup_seconds=int(getattr(settings, "FORTRESA_ALERT_DEDUP_SECONDS", 3600)),
        db_allowed_networks=tuple(ipaddress.ip_network(c, strict=False) for c in cidrs),
        db_app_roles=tuple(getattr(settings, "FORTRESA_DB_APP_ROLES", ("fortresa",))),
        db_app_hosts=tuple(getattr(settings, "FORTRESA_DB_APP_HOSTS", ("127.0.0.1", "::1"))),
        db_expected_applications=tuple(
            getattr(settings, "FORTRESA_DB_EXPECTED_APPLICATIONS", ("fortresa", ""))
        ),
        db_large_read_rows=int(getattr(settings, "FORTRESA_DB_LARGE_READ_ROWS", 10000)),
    )

"""Privacy settings, read from ``django.conf.settings`` when a component needs them.

``settings.py`` fills them from the environment (see docs/privacy.md for the table).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

# Days each category is kept (0 = kept until erased or until the law's period is set).
DEFAULT_RETENTION_DAYS = {
    "inactive_accounts": 3 * 365,
    "booking_history": 3 * 365,
    "payment_records": 10 * 365,
    "logs": 365,
    "audit_events": 5 * 365,
    "alerts": 2 * 365,
    "backups": 90,
}

CNIL = {
    "name": "Commission nationale de l'informatique et des libertés (CNIL)",
    "address": "3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France",
    "web_form": "https://notifications.cnil.fr/notifications/index",
}


@dataclass(frozen=True)
class Authority:
    name: str
    address: str
    web_form: str


@dataclass(frozen=True)
class PrivacySettings:
    controller: str = "Fortresa"
    controller_contact: str = ""
    dpo_contact: str = ""
    authority: Authority = field(default_factory=lambda: Authority(**CNIL))
    security_emails: tuple[str, ...] = ()
    erasure_grace_days: int = 14
    retention_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RETENTION_DAYS))
    site_url: str = ""


def privacy_settings() -> PrivacySettings:
    """The current settings; call it when needed, never at import time."""
    retention = dict(DEFAULT_RETENTION_DAYS)
    # Attribute access, not a name in quotes: this is a settings dict, not a variable.
    retention.update(settings.FORTRESA_RETENTION_DAYS)
    contacts = tuple(getattr(settings, "FORTRESA_SECURITY_CONTACT", ()) or ())
    return PrivacySettings(
        controller=str(getattr(settings, "FORTRESA_CONTROLLER_NAME", "") or "Fortresa"),
        controller_contact=str(
            getattr(settings, "FORTRESA_CONTROLLER_CONTACT", "") or ", ".join(contacts)
        ),
        dpo_contact=str(getattr(settings, "FORTRESA_DPO_CONTACT", "") or ""),
        authority=Authority(
            name=str(getattr(settings, "FORTRESA_AUTHORITY_NAME", "") or CNIL["name"]),
            address=str(getattr(settings, "FORTRESA_AUTHORITY_ADDRESS", "") or CNIL["address"]),
            web_form=str(getattr(settings, "FORTRESA_AUTHORITY_WEB_FORM", "") or CNIL["web_form"]),
        ),
        security_emails=tuple(getattr(settings, "FORTRESA_SECURITY_EMAILS", ()) or ()),
        erasure_grace_days=int(getattr(settings, "FORTRESA_ERASURE_GRACE_DAYS", 14)),
        retention_days=retention,
        site_url=str(getattr(settings, "FORTRESA_SITE_URL", "")).rstrip("/"),
    )

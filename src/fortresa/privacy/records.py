"""Records of processing activities (Art. 30), generated from the registry and settings.

Nothing here is written by hand per deployment: the personal fields come from the
registry (so from the data model), retention from the schedule, recipients and
measures from the settings in force. Regenerated on every request, so always current.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.registry import CATEGORIES, installed_entries
from fortresa.privacy.retention import retention_schedule


@dataclass(frozen=True)
class ProcessingActivity:
    name: str
    purpose: str
    legal_basis: str
    data_subjects: str
    data_categories: list[str]
    fields: list[str]
    recipients: list[str]
    transfers: str
    retention: str
    measures: list[str]


# name, purpose, legal basis, data subjects, registry categories, retention categories
_ACTIVITIES = (
    (
        "Member accounts and club membership",
        "Let members sign in, join clubs and be managed by their club",
        "Contract (Art. 6(1)(b))",
        "Members, club staff and administrators, invited people",
        ("identity", "membership", "consents"),
        ("inactive_accounts",),
    ),
    (
        "Court bookings",
        "Book courts with partners and guests; club planning",
        "Contract (Art. 6(1)(b))",
        "Members, their partners and guests",
        ("bookings",),
        ("booking_history",),
    ),
    (
        "Payments",
        "Collect court fees, guest fees, tickets and membership fees; accounting",
        "Contract (Art. 6(1)(b)); legal obligation to keep accounts (Art. 6(1)(c))",
        "Paying members",
        ("payments",),
        ("payment_records",),
    ),
    (
        "Emails",
        "Booking and security messages; news only with consent",
        "Contract (Art. 6(1)(b)); consent for news (Art. 6(1)(a))",
        "Members and status-page subscribers",
        ("communications",),
        ("logs",),
    ),
    (
        "Security: sign-in protection, logs, audit, threat detection, breach management",
        "Protect accounts and data; detect, document and notify breaches (Art. 32-34)",
        "Legal obligation (Art. 6(1)(c), Art. 32-34); legitimate interest (Art. 6(1)(f))",
        "Everyone using the platform, operators",
        ("security_logs", "audit", "operator_actions"),
        ("logs", "audit_events", "alerts"),
    ),
    (
        "Backups",
        "Restore the service and its data after a failure",
        "Legitimate interest (Art. 6(1)(f)); security (Art. 32(1)(c))",
        "Everyone whose data the platform holds",
        (),
        ("backups",),
    ),
)


def _recipients() -> list[str]:
    found = ["Staff and administrators of the member's clubs", "Platform operators"]
    if getattr(settings, "EMAIL_HOST", ""):
        found.append(f"Mail relay {settings.EMAIL_HOST} (processor)")
    if apps.is_installed("fortresa.payments"):
        from fortresa.payments.models import ClubGateway

        providers = sorted(
            set(ClubGateway.objects.filter(enabled=True).values_list("provider", flat=True))
        )
        found += [f"Payment gateway {p} (processor)" for p in providers]
    return found


def _measures() -> list[str]:
    return [
        f"TLS policy {getattr(settings, 'FORTRESA_TLS_POLICY', 'intermediate')} (TLS 1.2+), HSTS",
        "Argon2id password hashing, lockout, two-factor authentication for staff",
        "Strict Content Security Policy with Subresource Integrity",
        "Hash-chained append-only audit log",
        f"Threat detection in {getattr(settings, 'FORTRESA_DETECTION_MODE', 'monitor')} mode",
        "Encrypted backups (AES-256) on two sites, restore drills",
        "Database roles with least privilege and TLS",
    ]


def _field_label(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def _kept(label: object, days: int) -> str:
    return f"{label}: {days} days" if days else f"{label}: kept"


def processing_records() -> dict[str, Any]:
    """The whole record, as plain data."""
    config = privacy_settings()
    schedule = {rule.category: rule for rule in retention_schedule()}
    fields_by_category: dict[str, list[str]] = {}
    for entry, model in installed_entries():
        names = [f"{entry.model}.{_field_label(model, name)}" for name in entry.fields]
        fields_by_category.setdefault(entry.category, []).extend(names)
    activities = []
    for name, purpose, basis, subjects, categories, retention in _ACTIVITIES:
        kept = "; ".join(_kept(schedule[key].label, schedule[key].days) for key in retention)
        activities.append(
            ProcessingActivity(
                name=name,
                purpose=purpose,
                legal_basis=basis,
                data_subjects=subjects,
                data_categories=[CATEGORIES[c] for c in categories],
                fields=[f for c in categories for f in fields_by_category.get(c, [])],
                recipients=_recipients(),
                transfers="None outside the EEA configured",
                retention=kept,
                measures=_measures(),
            )
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "controller": config.controller,
        "controller_contact": config.controller_contact,
        "dpo_contact": config.dpo_contact,
        "activities": [asdict(a) for a in activities],
    }


def processing_records_csv(records: dict[str, Any]) -> str:
    buffer = io.StringIO()
    columns = list(ProcessingActivity.__dataclass_fields__)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for activity in records["activities"]:
        writer.writerow(
            ["; ".join(v) if isinstance(v, list) else v for v in (activity[c] for c in columns)]
        )
    return buffer.getvalue()

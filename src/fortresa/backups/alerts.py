"""Alert-worthy backup conditions: one open row per condition, delivered by detection.

``raise_alert`` is idempotent: while a condition lasts there is one open row per
(kind, subject); when it opens, the detection area's alert is raised (email, webhook,
triage page) and the row marked delivered. ``resolve_alert`` closes it when the
condition clears.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from fortresa.backups.models import BackupAlert

logger = logging.getLogger(__name__)
# A damaged repository is the one backups cannot survive; the rest are urgent too.
SEVERITY = {
    BackupAlert.Kind.BACKUP_FAILED: "high",
    BackupAlert.Kind.VERIFY_FAILED: "critical",
    BackupAlert.Kind.DRILL_FAILED: "high",
    BackupAlert.Kind.WAL_LAG: "high",
    BackupAlert.Kind.MISSED_SCHEDULE: "medium",
    BackupAlert.Kind.REPOSITORY_UNREACHABLE: "high",
}


def _deliver(alert: BackupAlert) -> None:
    """Hand a newly opened condition to detection, which alerts the security contacts."""
    if not apps.is_installed("fortresa.detection"):
        return
    from fortresa.detection.alerts import raise_alert as raise_security_alert

    kind = alert.kind if alert.kind == "backup_failed" else f"backup_{alert.kind}"
    raise_security_alert(
        kind=kind,
        severity=SEVERITY.get(BackupAlert.Kind(alert.kind), "high"),
        source="backups",
        subject=alert.subject,
        evidence={"message": alert.message, **alert.details},
    )
    alert.delivered_at = timezone.now()
    alert.save(update_fields=["delivered_at"])


def raise_alert(
    *, kind: str, subject: str, message: str, details: dict[str, Any] | None = None
) -> BackupAlert:
    now = timezone.now()
    logger.warning("backup alert %s %s: %s", kind, subject, message)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                alert, created = BackupAlert.objects.select_for_update().get_or_create(
                    kind=kind,
                    subject=subject,
                    resolved_at=None,
                    defaults={
                        "message": message,
                        "details": details or {},
                        "raised_at": now,
                        "last_seen_at": now,
                    },
                )
                if created:
                    _deliver(alert)
                else:
                    alert.message = message
                    alert.details = details or {}
                    alert.last_seen_at = now
                    alert.save(update_fields=["message", "details", "last_seen_at"])
                return alert
        except IntegrityError:
            continue  # another process opened it between our read and insert
    return BackupAlert.objects.get(kind=kind, subject=subject, resolved_at=None)


def resolve_alert(*, kind: str, subject: str) -> int:
    return BackupAlert.objects.filter(kind=kind, subject=subject, resolved_at=None).update(
        resolved_at=timezone.now()
    )

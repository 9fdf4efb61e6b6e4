"""Alert-worthy backup conditions, kept as rows until the detection area delivers them.

``raise_alert`` is idempotent: while a condition lasts there is one open row per
(kind, subject); ``resolve_alert`` closes it when the condition clears.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from fortresa.backups.models import BackupAlert

logger = logging.getLogger(__name__)


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
                if not created:
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

"""The hook through which a critical alert opens a breach record.

The privacy app (GDPR breach register) provides the opener: a callable named by the
setting ``FORTRESA_BREACH_RECORD_OPENER`` (dotted path) taking ``alert`` and ``actor``
keyword arguments and returning the breach record's reference. Until it exists, the
triage page does not offer the action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from fortresa.core.audit import record_event
from fortresa.detection.models import Alert

BreachOpener = Callable[..., str]


class BreachRecordUnavailable(Exception):
    """No opener is configured, or the alert is not critical."""


def breach_record_opener() -> BreachOpener | None:
    path = str(getattr(settings, "FORTRESA_BREACH_RECORD_OPENER", "") or "")
    return import_string(path) if path else None


def can_open_breach_record(alert: Alert) -> bool:
    return (
        alert.severity == Alert.Severity.CRITICAL
        and not alert.breach_reference
        and breach_record_opener() is not None
    )


def open_breach_record(*, alert: Alert, actor: Any) -> str:
    """Open a breach record for a critical alert and remember its reference."""
    opener = breach_record_opener()
    if opener is None or alert.severity != Alert.Severity.CRITICAL:
        raise BreachRecordUnavailable("only a critical alert with an opener configured")
    if alert.breach_reference:
        return alert.breach_reference
    reference = str(opener(alert=alert, actor=actor))
    alert.breach_reference = reference[:100]
    alert.save(update_fields=["breach_reference"])
    record_event(
        action="detection.breach_record_opened",
        actor=actor,
        target=f"alert:{alert.pk}",
        details={"breach": reference, "kind": alert.kind},
    )
    return reference

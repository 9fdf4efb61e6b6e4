"""Writing security events: the record the threat-detection work consumes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fortresa.accounts.models import SecurityEvent, User


def record_security_event(
    *,
    kind: SecurityEvent.Kind,
    user: User | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> SecurityEvent:
    """Append one security event. Never pass a password, code or token in ``details``."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        actor=actor,
        ip_address=ip_address,
        created_at=timezone.now(),
        details=details or {},
    )

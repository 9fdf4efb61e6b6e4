"""Append-only, hash-chained audit log.

Each event's hash covers its own canonical content and the previous event's hash, so
changing, removing or reordering any row breaks the chain from that row on;
``verify_chain`` finds the first such row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from fortresa.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every process appending.
_PG_LOCK_KEY = 0x466F72747265  # "Fortre"


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "created_at": event.created_at.isoformat(),
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "club_id": event.club_id,
        "target": event.target,
        "ip_address": event.ip_address,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record_event(
    *,
    action: str,
    actor: Any = None,
    club_id: int | None = None,
    target: str = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``actor`` is a user or None for the system."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise appenders so two events never claim the same predecessor.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        actor_id = getattr(actor, "pk", None) if actor is not None else None
        event = AuditEvent(
            created_at=timezone.now(),
            action=action,
            actor_id=actor_id,
            actor_label=str(getattr(actor, "email", "") or "") if actor is not None else "",
            club_id=club_id,
            target=target[:200],
            ip_address=ip_address,
            details=json.loads(json.dumps(details or {}, default=str)),
            prev_hash=last or GENESIS,
        )
        event.hash = compute_hash(event)
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    reason: str

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def _iter_events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("id").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the log in order and report the first row whose hash or link is wrong."""
    previous = GENESIS
    checked = 0
    for event in _iter_events():
        checked += 1
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, "previous-hash link does not match")
        if compute_hash(event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash")
        previous = event.hash
    return ChainReport(checked, None, "intact")

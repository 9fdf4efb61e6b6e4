"""Append-only, hash-chained audit log.

Each event's hash covers its own canonical content and the previous event's hash, so
changing, removing or reordering any row breaks the chain from that row on;
``verify_chain`` finds the first such row.

Two rewrites are legitimate and leave a trace the verifier understands (privacy:
erasure and retention):
- ``redact_events`` overwrites personal fields of past rows and appends an
  ``audit.redacted`` event holding the hash of each row's redacted content; a row whose
  content no longer matches its own hash passes only if such a later event vouches for
  exactly its current content. The row keeps its hash, so the links stay intact.
- ``purge_events`` deletes the oldest rows and appends an ``audit.purged`` checkpoint
  holding the hash of the last row removed; the first remaining row may then link to
  that hash instead of the genesis value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from fortresa.core.models import AuditEvent

GENESIS = "0" * 64
# Any constant works; it only has to be the same for every process appending.
_PG_LOCK_KEY = 0x466F72747265  # "Fortre"
REDACTED_ACTION = "audit.redacted"
PURGED_ACTION = "audit.purged"
# The only columns a redaction may overwrite; the chain columns never change.
REDACTABLE_FIELDS = ("actor_label", "target", "ip_address", "details")


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
    return _append(
        DEFAULT_DB_ALIAS,
        action=action,
        actor=actor,
        club_id=club_id,
        target=target,
        ip_address=ip_address,
        details=details,
    )


def _append(
    using: str,
    *,
    action: str,
    actor: Any = None,
    club_id: int | None = None,
    target: str = "",
    ip_address: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            # Serialise appenders so two events never claim the same predecessor.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = (
            AuditEvent.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
        )
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
        event.save(using=using)
    return event


def _rewrite_alias() -> str:
    """The owner connection when one is configured: the application role cannot turn
    the append-only trigger off, only the table owner can."""
    return "migrate" if "migrate" in settings.DATABASES else DEFAULT_DB_ALIAS


@contextmanager
def _rewriting(using: str) -> Iterator[None]:
    """Let this transaction, and only it, update or delete audit rows.

    ALTER TABLE is transactional on PostgreSQL and holds its lock until commit, so no
    other session ever sees the trigger off; appenders simply wait.
    """
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
                cursor.execute(
                    "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
                )
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only"
                )


def redact_events(
    *, changes: Mapping[int, Mapping[str, Any]], reason: str, target: str = ""
) -> AuditEvent | None:
    """Overwrite personal fields of past events and vouch for the result.

    ``changes`` maps event ids to new values of ``REDACTABLE_FIELDS``. The appended
    ``audit.redacted`` event is written by the system (no actor, so it names nobody) and
    holds, per row, the hash of its redacted content.
    """
    for values in changes.values():
        unknown = set(values) - set(REDACTABLE_FIELDS)
        if unknown:
            raise ValueError(f"audit fields that cannot be redacted: {sorted(unknown)}")
    if not changes:
        return None
    using = _rewrite_alias()
    with _rewriting(using):
        rows = AuditEvent.objects.using(using)
        for event_id, values in changes.items():
            cleaned = dict(values)
            if "details" in cleaned:
                cleaned["details"] = json.loads(json.dumps(cleaned["details"], default=str))
            rows.filter(pk=event_id).update(**cleaned)
        digests = {str(e.pk): compute_hash(e) for e in rows.filter(pk__in=list(changes))}
        return _append(
            using,
            action=REDACTED_ACTION,
            target=target,
            details={"reason": reason, "rows": digests},
        )


def purge_events(*, before: dt.datetime, reason: str = "retention") -> int:
    """Delete the oldest events, those recorded before ``before``, leaving a checkpoint.

    Only a prefix of the chain is removed (up to the first event at or after
    ``before``), so what remains is still one unbroken chain from the checkpoint on.
    """
    using = _rewrite_alias()
    with _rewriting(using):
        rows = AuditEvent.objects.using(using)
        keep_from = rows.filter(created_at__gte=before).order_by("id").values_list("id", flat=True)
        first_kept = keep_from.first()
        doomed = rows.filter(pk__lt=first_kept) if first_kept is not None else rows.all()
        last = doomed.order_by("-id").values_list("id", "hash").first()
        if last is None:
            return 0
        count = doomed.count()
        # A queryset delete never calls the model's refusing delete().
        doomed.delete()
        _append(
            using,
            action=PURGED_ACTION,
            details={
                "reason": reason,
                "through_id": last[0],
                "anchor_hash": last[1],
                "count": count,
                "before": before.isoformat(),
            },
        )
    return count


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


def _vouched_redactions() -> dict[int, str]:
    """Row id -> hash of its redacted content, the latest redaction of a row winning."""
    vouched: dict[int, str] = {}
    for event in AuditEvent.objects.filter(action=REDACTED_ACTION).order_by("id"):
        rows = event.details.get("rows") if isinstance(event.details, dict) else None
        for key, digest in (rows or {}).items():
            if str(key).isdigit() and int(key) < event.pk:
                vouched[int(key)] = str(digest)
    return vouched


def _purge_anchors() -> dict[str, int]:
    """Hash of the last purged row -> its id, from the checkpoints still present."""
    anchors: dict[str, int] = {}
    for details in AuditEvent.objects.filter(action=PURGED_ACTION).values_list(
        "details", flat=True
    ):
        if isinstance(details, dict) and isinstance(details.get("through_id"), int):
            anchors[str(details.get("anchor_hash"))] = details["through_id"]
    return anchors


def verify_chain() -> ChainReport:
    """Walk the log in order and report the first row whose hash or link is wrong.

    Recorded redactions and purge checkpoints (see the module docstring) are accepted;
    any other change is reported.
    """
    vouched = _vouched_redactions()
    anchors = _purge_anchors()
    previous = GENESIS
    checked = 0
    for event in _iter_events():
        checked += 1
        if checked == 1 and event.prev_hash in anchors and anchors[event.prev_hash] < event.pk:
            previous = event.prev_hash
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, "previous-hash link does not match")
        digest = compute_hash(event)
        if digest != event.hash and vouched.get(event.pk) != digest:
            return ChainReport(checked, event.pk, "content does not match its hash")
        previous = event.hash
    return ChainReport(checked, None, "intact")

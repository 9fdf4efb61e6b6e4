"""Raising alerts (with deduplication) and triaging them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.core.audit import record_event
from fortresa.detection.conf import detection_settings
from fortresa.detection.models import Alert
from fortresa.detection.redaction import redact, redact_text

OPEN_STATES = (Alert.State.NEW, Alert.State.ACKNOWLEDGED)
_MAX_EVIDENCE_TEXT = 2000


def _dedup_key(kind: str, source: str, subject: str, key: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{source}\x1f{subject}\x1f{key}".encode()).hexdigest()


def _bounded(evidence: dict[str, Any]) -> dict[str, Any]:
    cleaned = redact(evidence)
    return {k: (v[:_MAX_EVIDENCE_TEXT] if isinstance(v, str) else v) for k, v in cleaned.items()}


def raise_alert(
    *,
    kind: str,
    severity: str,
    source: str,
    subject: str = "",
    evidence: dict[str, Any] | None = None,
    key: str = "",
    at: dt.datetime | None = None,
) -> Alert:
    """Record an alert, or bump the open one with the same kind, source, subject and key.

    Evidence is redacted before it is stored. A new alert is delivered through every
    configured channel once the surrounding transaction commits; repeats inside the
    deduplication window only update ``count`` and ``last_seen``.
    """
    from fortresa.detection.tasks import deliver_alert

    now = at or timezone.now()
    subject = redact_text(subject)
    window = dt.timedelta(seconds=detection_settings().dedup_seconds)
    dedup_key = _dedup_key(kind, source, subject, key)
    sample = _bounded(evidence or {})
    with transaction.atomic():
        existing = (
            Alert.objects.select_for_update()
            .filter(dedup_key=dedup_key, state__in=OPEN_STATES, last_seen__gte=now - window)
            .order_by("-last_seen")
            .first()
        )
        if existing is not None:
            existing.count += 1
            existing.last_seen = max(existing.last_seen, now)
            existing.evidence = {**existing.evidence, "latest": sample}
            existing.save(update_fields=["count", "last_seen", "evidence"])
            return existing
        alert = Alert.objects.create(
            kind=kind,
            severity=severity,
            source=source,
            subject=subject[:200],
            dedup_key=dedup_key,
            evidence=sample,
            first_seen=now,
            last_seen=now,
        )
        alert_id = alert.pk
        transaction.on_commit(lambda: deliver_alert.delay(alert_id), robust=True)
    return alert


def set_alert_state(*, alert: Alert, state: str, actor: Any, note: str = "") -> Alert:
    """Move an alert to ``state`` (acknowledged, resolved, false positive, or back to new)."""
    if state not in Alert.State.values:
        raise ValueError(f"unknown alert state {state!r}")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        previous = locked.state
        locked.state = state
        locked.state_changed_at = timezone.now()
        locked.state_changed_by = actor
        if note:
            locked.note = note
        locked.save(update_fields=["state", "state_changed_at", "state_changed_by", "note"])
        record_event(
            action="detection.alert_state_changed",
            actor=actor,
            target=f"alert:{locked.pk}",
            details={"kind": locked.kind, "from": previous, "to": state},
        )
    return locked

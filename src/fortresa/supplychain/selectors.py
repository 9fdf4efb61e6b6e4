"""Reads of dependency audit runs, for the status page and alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from fortresa.supplychain.models import AuditRun


def last_audit_run() -> AuditRun | None:
    """The most recent audit run, whatever its result."""
    return AuditRun.objects.order_by("-ran_at", "-id").first()


def last_audit_age(*, now: datetime | None = None) -> timedelta | None:
    """How long ago the last audit ran; None when no audit ever ran."""
    run = last_audit_run()
    if run is None:
        return None
    return (now or timezone.now()) - run.ran_at

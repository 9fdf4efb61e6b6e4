"""Reads for the operator triage page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from fortresa.detection.models import Alert


def alerts_for_triage(*, state: str = "", severity: str = "") -> QuerySet[Alert]:
    rows = Alert.objects.all()
    if state:
        rows = rows.filter(state=state)
    if severity:
        rows = rows.filter(severity=severity)
    return rows.order_by("-last_seen", "-id")


def alert_for_triage(alert_id: int) -> Alert:
    return get_object_or_404(Alert.objects.prefetch_related("deliveries"), pk=alert_id)

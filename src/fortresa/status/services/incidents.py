"""Incidents and planned maintenance: opened, updated and closed by operators or monitoring.

Every update is announced to confirmed subscribers by a task enqueued after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.core.audit import record_event
from fortresa.status.components import DOWN, ComponentStatus
from fortresa.status.models import (
    CLOSED_STATUSES,
    Incident,
    IncidentStatus,
    IncidentUpdate,
)


def _announce(update: IncidentUpdate) -> None:
    from fortresa.status import tasks

    update_id = update.pk
    transaction.on_commit(lambda: tasks.notify_subscribers.delay(update_id))


def _add_update(
    incident: Incident,
    *,
    status: str,
    message: str = "",
    event: str = "",
    author: Any = None,
    now: datetime,
) -> IncidentUpdate:
    update = IncidentUpdate.objects.create(
        incident=incident,
        status=status,
        message=message,
        event=event,
        author=author,
        created_at=now,
    )
    _announce(update)
    return update


@transaction.atomic
def open_incident(
    *,
    actor: Any,
    title: str,
    impact: str,
    components: Sequence[str],
    message: str,
    status: str = IncidentStatus.INVESTIGATING,
    now: datetime | None = None,
) -> Incident:
    """Open an incident written by an operator and tell subscribers."""
    now = now or timezone.now()
    incident = Incident.objects.create(
        kind=Incident.Kind.INCIDENT,
        title=title,
        impact=impact,
        components=list(components),
        status=status,
        started_at=now,
        updated_at=now,
        resolved_at=now if status in CLOSED_STATUSES else None,
    )
    _add_update(incident, status=status, message=message, author=actor, now=now)
    record_event(action="status.incident_opened", actor=actor, target=f"incident:{incident.pk}")
    return incident


@transaction.atomic
def schedule_maintenance(
    *,
    actor: Any,
    title: str,
    components: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    message: str,
    impact: str = Incident.Impact.NONE,
    now: datetime | None = None,
) -> Incident:
    """Announce planned maintenance between ``starts_at`` and ``ends_at``."""
    if ends_at <= starts_at:
        raise ValueError("maintenance must end after it starts")
    now = now or timezone.now()
    maintenance = Incident.objects.create(
        kind=Incident.Kind.MAINTENANCE,
        title=title,
        impact=impact,
        components=list(components),
        status=IncidentStatus.SCHEDULED,
        started_at=starts_at,
        scheduled_start=starts_at,
        scheduled_end=ends_at,
        updated_at=now,
    )
    _add_update(
        maintenance, status=IncidentStatus.SCHEDULED, message=message, author=actor, now=now
    )
    record_event(
        action="status.maintenance_scheduled", actor=actor, target=f"incident:{maintenance.pk}"
    )
    return maintenance


@transaction.atomic
def post_incident_update(
    *,
    actor: Any,
    incident: Incident,
    status: str,
    message: str,
    now: datetime | None = None,
) -> IncidentUpdate:
    """Add an update; a closing status (resolved, completed) closes the incident."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    incident.status = status
    incident.updated_at = now
    incident.resolved_at = now if status in CLOSED_STATUSES else None
    incident.save(update_fields=["status", "updated_at", "resolved_at"])
    update = _add_update(incident, status=status, message=message, author=actor, now=now)
    record_event(
        action="status.incident_updated",
        actor=actor,
        target=f"incident:{incident.pk}",
        details={"status": status},
    )
    return update


def react_to_component_change(
    *,
    component: str,
    after: ComponentStatus,
    now: datetime,
) -> Incident | None:
    """Open an automatic incident when a component goes down; resolve it on recovery.

    Called inside the monitoring run's transaction.
    """
    open_incident_ = (
        Incident.objects.select_for_update()
        .filter(trigger_component=component, resolved_at__isnull=True)
        .first()
    )
    if after in DOWN:
        if open_incident_ is not None:
            if after == ComponentStatus.MAJOR_OUTAGE and open_incident_.impact != after:
                open_incident_.impact = after
                open_incident_.updated_at = now
                open_incident_.save(update_fields=["impact", "updated_at"])
            return open_incident_
        incident = Incident.objects.create(
            kind=Incident.Kind.INCIDENT,
            impact=after,
            components=[component],
            trigger_component=component,
            status=IncidentStatus.INVESTIGATING,
            started_at=now,
            updated_at=now,
        )
        _add_update(
            incident,
            status=IncidentStatus.INVESTIGATING,
            event=IncidentUpdate.Event.DETECTED,
            now=now,
        )
        return incident
    if open_incident_ is None:
        return None
    open_incident_.status = IncidentStatus.RESOLVED
    open_incident_.resolved_at = now
    open_incident_.updated_at = now
    open_incident_.save(update_fields=["status", "resolved_at", "updated_at"])
    _add_update(
        open_incident_,
        status=IncidentStatus.RESOLVED,
        event=IncidentUpdate.Event.RECOVERED,
        now=now,
    )
    return open_incident_

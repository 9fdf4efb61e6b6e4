"""Reads for the status page, /status.json, the Atom feed, metrics and the ops page.

The page, the JSON document and the feed are all built from one ``StatusSummary``, so
they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from fortresa.status.charts import ResponseChart, response_chart
from fortresa.status.components import COMPONENTS, ComponentStatus, worst
from fortresa.status.conf import status_settings
from fortresa.status.models import (
    CheckResult,
    ComponentState,
    Incident,
    IncidentStatus,
    IncidentUpdate,
)
from fortresa.status.uptime import UptimeHistory, uptime_histories

RECENT_INCIDENT_DAYS = 14


@dataclass(frozen=True)
class ComponentView:
    slug: str
    name: str
    description: str
    status: ComponentStatus | None
    since: datetime | None
    uptime: UptimeHistory

    @property
    def status_key(self) -> str:
        return self.status.value if self.status else "unknown"

    @property
    def status_label(self) -> str:
        return str(self.status.label) if self.status else _("Not checked yet")


@dataclass(frozen=True)
class StatusSummary:
    generated_at: datetime
    last_checked_at: datetime | None
    stale: bool
    overall: ComponentStatus | None
    components: list[ComponentView]
    chart: ResponseChart
    active_incidents: list[Incident]
    maintenance: list[Incident]
    recent_incidents: list[Incident]

    @property
    def overall_key(self) -> str:
        return self.overall.value if self.overall else "unknown"

    @property
    def overall_label(self) -> str:
        return overall_label(self.overall)


def overall_label(status: ComponentStatus | None) -> str:
    return {
        None: _("No checks have run yet"),
        ComponentStatus.NOT_CONFIGURED: _("No checks have run yet"),
        ComponentStatus.OPERATIONAL: _("All systems operational"),
        ComponentStatus.DEGRADED: _("Some systems have degraded performance"),
        ComponentStatus.PARTIAL_OUTAGE: _("Partial outage"),
        ComponentStatus.MAJOR_OUTAGE: _("Major outage"),
    }[status]


def _with_updates(queryset: QuerySet[Incident]) -> list[Incident]:
    updates = IncidentUpdate.objects.order_by("-created_at", "-id")
    return list(queryset.prefetch_related(Prefetch("updates", queryset=updates)))


def incident_by_id(incident_id: int) -> Incident | None:
    return next(iter(_with_updates(Incident.objects.filter(pk=incident_id))), None)


def feed_incidents(limit: int = 50) -> list[Incident]:
    return _with_updates(Incident.objects.order_by("-updated_at", "-id")[:limit])


def status_summary(*, now: datetime) -> StatusSummary:
    states = {state.component: state for state in ComponentState.objects.all()}
    histories = uptime_histories([c.slug for c in COMPONENTS], now=now)
    components = [
        ComponentView(
            slug=component.slug,
            name=str(component.name),
            description=str(component.description),
            status=ComponentStatus(states[component.slug].status)
            if component.slug in states
            else None,
            since=states[component.slug].since if component.slug in states else None,
            uptime=histories[component.slug],
        )
        for component in COMPONENTS
    ]
    last_checked = ComponentState.objects.aggregate(last=Max("checked_at"))["last"]
    stale = last_checked is None or now - last_checked > status_settings().stale_after
    measured = [c.status for c in components if c.status is not None]
    incidents = Incident.objects.filter(kind=Incident.Kind.INCIDENT)
    return StatusSummary(
        generated_at=now,
        last_checked_at=last_checked,
        stale=stale,
        overall=worst(measured) if measured else None,
        components=components,
        chart=response_chart(now=now),
        active_incidents=_with_updates(incidents.filter(resolved_at__isnull=True)),
        maintenance=_with_updates(
            Incident.objects.filter(kind=Incident.Kind.MAINTENANCE, scheduled_end__gte=now)
            .exclude(status=IncidentStatus.COMPLETED)
            .order_by("scheduled_start", "id")
        ),
        recent_incidents=_with_updates(
            incidents.filter(resolved_at__gte=now - timedelta(days=RECENT_INCIDENT_DAYS))
        ),
    )


def status_version() -> tuple[object, ...]:
    """Changes whenever the page's rows do: an incident or update written or deleted, a
    component's state checked, a probe's result recorded. One query, indexed lookups."""
    incident, update = Incident._meta.db_table, IncidentUpdate._meta.db_table
    state, result = ComponentState._meta.db_table, CheckResult._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(updated_at) FROM {incident}),"  # noqa: S608 - model tables
            f" (SELECT count(*) FROM {incident}), (SELECT max(id) FROM {update}),"
            f" (SELECT count(*) FROM {update}), (SELECT max(checked_at) FROM {state}),"
            f" (SELECT max(id) FROM {result})"
        )
        row = cursor.fetchone()
    return tuple(row or ())


def _incident_document(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "title": incident.display_title,
        "status": incident.status,
        "status_label": incident.status_label,
        "impact": incident.impact,
        "components": incident.components,
        "automatic": incident.automatic,
        "started_at": incident.started_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "scheduled_start": incident.scheduled_start.isoformat()
        if incident.scheduled_start
        else None,
        "scheduled_end": incident.scheduled_end.isoformat() if incident.scheduled_end else None,
        "updates": [
            {
                "status": update.status,
                "status_label": update.status_label,
                "message": update.display_message,
                "at": update.created_at.isoformat(),
            }
            for update in incident.updates.all()
        ],
    }


def status_document(summary: StatusSummary) -> dict[str, Any]:
    """/status.json: the same figures as the page, in the requested language."""
    return {
        "generated_at": summary.generated_at.isoformat(),
        "last_checked_at": summary.last_checked_at.isoformat() if summary.last_checked_at else None,
        "stale": summary.stale,
        "overall": {"status": summary.overall_key, "label": summary.overall_label},
        "components": [
            {
                "id": component.slug,
                "name": component.name,
                "status": component.status_key,
                "status_label": component.status_label,
                "since": component.since.isoformat() if component.since else None,
                "uptime_percent": component.uptime.percent,
                "days": [
                    {
                        "date": day.day.isoformat(),
                        "uptime_percent": day.percent,
                        "worst": day.worst.value if day.worst else None,
                    }
                    for day in component.uptime.days
                ],
            }
            for component in summary.components
        ],
        "response_time": [
            {"hour": bucket.start.isoformat(), "average_ms": bucket.average_ms}
            for bucket in summary.chart.buckets
        ],
        "incidents": [_incident_document(i) for i in summary.active_incidents],
        "maintenance": [_incident_document(i) for i in summary.maintenance],
        "recent_incidents": [_incident_document(i) for i in summary.recent_incidents],
    }


def latest_check_results() -> list[CheckResult]:
    """The newest result of each probe, for operators."""
    newest = CheckResult.objects.values("probe").annotate(last=Max("checked_at"))
    condition = Q(pk__in=[])
    for row in newest:
        condition |= Q(probe=row["probe"], checked_at=row["last"])
    return list(CheckResult.objects.filter(condition).order_by("component", "probe"))


def open_incidents() -> list[Incident]:
    return _with_updates(
        Incident.objects.filter(resolved_at__isnull=True).exclude(
            status__in=[IncidentStatus.RESOLVED, IncidentStatus.COMPLETED]
        )
    )

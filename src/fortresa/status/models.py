"""Stored check results, published component states, daily uptime, incidents, subscribers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fortresa.status.components import ComponentStatus, component_named


class CheckResult(models.Model):
    """One run of one probe. Kept for a few days (response-time chart, operator view)."""

    probe = models.CharField(max_length=64)
    component = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=ComponentStatus.choices)
    response_ms = models.FloatField(null=True, blank=True)
    # For operators only: never shown on the public page.
    summary = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["probe", "-checked_at"])]

    def __str__(self) -> str:
        return f"{self.probe} {self.status} at {self.checked_at:%Y-%m-%d %H:%M:%S}"


class ComponentState(models.Model):
    """The published status of a component and the change waiting for confirmation.

    A different derived status becomes the published one only after it was seen in
    ``FORTRESA_STATUS_CONFIRMATIONS`` consecutive runs, so one slow answer does not flap
    the page or open an incident.
    """

    component = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=16, choices=ComponentStatus.choices)
    since = models.DateTimeField()
    candidate = models.CharField(max_length=16, choices=ComponentStatus.choices, blank=True)
    candidate_count = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.component}: {self.status}"


class DailyUptime(models.Model):
    """How many runs found a component in each status on one UTC day."""

    component = models.CharField(max_length=32)
    day = models.DateField()
    operational = models.PositiveIntegerField(default=0)
    degraded = models.PositiveIntegerField(default=0)
    partial_outage = models.PositiveIntegerField(default=0)
    major_outage = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["component", "day"]
        constraints = [
            models.UniqueConstraint(fields=["component", "day"], name="status_uptime_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.day}"


class WorkerHeartbeat(models.Model):
    """Written by a scheduled task: proof that the scheduler and a worker are alive."""

    name = models.CharField(max_length=32, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")
    SCHEDULED = "scheduled", pgettext_lazy("maintenance", "Scheduled")
    IN_PROGRESS = "in_progress", pgettext_lazy("maintenance", "In progress")
    COMPLETED = "completed", pgettext_lazy("maintenance", "Completed")


INCIDENT_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
    IncidentStatus.RESOLVED,
)
MAINTENANCE_STATUSES = (
    IncidentStatus.SCHEDULED,
    IncidentStatus.IN_PROGRESS,
    IncidentStatus.COMPLETED,
)
CLOSED_STATUSES = frozenset({IncidentStatus.RESOLVED, IncidentStatus.COMPLETED})


class Incident(models.Model):
    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        MAINTENANCE = "maintenance", _("Planned maintenance")

    class Impact(models.TextChoices):
        NONE = "none", _("No impact expected")
        DEGRADED = "degraded", _("Degraded performance")
        PARTIAL_OUTAGE = "partial_outage", _("Partial outage")
        MAJOR_OUTAGE = "major_outage", _("Major outage")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INCIDENT)
    # Empty for incidents opened automatically: their title is written in the reader's
    # language from ``trigger_component`` and ``impact``.
    title = models.CharField(_("title"), max_length=200, blank=True)
    impact = models.CharField(_("impact"), max_length=16, choices=Impact.choices)
    components = models.JSONField(default=list)
    trigger_component = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger_component"],
                condition=models.Q(resolved_at__isnull=True) & ~models.Q(trigger_component=""),
                name="status_one_open_automatic_incident_per_component",
            )
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def automatic(self) -> bool:
        return bool(self.trigger_component)

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        component = component_named(self.trigger_component)
        name = str(component.name) if component else self.trigger_component
        return gettext("%(component)s: %(impact)s") % {
            "component": name,
            "impact": self.Impact(self.impact).label,
        }

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label)


class IncidentUpdate(models.Model):
    class Event(models.TextChoices):
        WRITTEN = "", _("Written by the operators")
        DETECTED = "detected", _("Detected by monitoring")
        RECOVERED = "recovered", _("Recovery detected by monitoring")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    event = models.CharField(max_length=16, choices=Event.choices, blank=True)
    message = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.status} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def display_message(self) -> str:
        if self.event == self.Event.DETECTED:
            return gettext("Our monitoring detected a problem. We are looking into it.")
        if self.event == self.Event.RECOVERED:
            return gettext("Our monitoring sees the service working normally again.")
        return self.message

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label)


class Subscriber(models.Model):
    """An email address told of incident updates once it confirmed (double opt-in)."""

    email = models.EmailField(unique=True)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField()
    confirmation_sent_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email

"""The components shown on the status page and the statuses they can be in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ComponentStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    DEGRADED = "degraded", _("Degraded performance")
    PARTIAL_OUTAGE = "partial_outage", _("Partial outage")
    MAJOR_OUTAGE = "major_outage", _("Major outage")
    NOT_CONFIGURED = "not_configured", _("Not configured")


# Worse is higher; "not configured" is no measurement at all, so it ranks below everything.
SEVERITY = {
    ComponentStatus.NOT_CONFIGURED: -1,
    ComponentStatus.OPERATIONAL: 0,
    ComponentStatus.DEGRADED: 1,
    ComponentStatus.PARTIAL_OUTAGE: 2,
    ComponentStatus.MAJOR_OUTAGE: 3,
}
DOWN = frozenset({ComponentStatus.PARTIAL_OUTAGE, ComponentStatus.MAJOR_OUTAGE})


def severity(status: str) -> int:
    return SEVERITY[ComponentStatus(status)]


def worst(statuses: list[ComponentStatus]) -> ComponentStatus:
    """The worst measured status; "not configured" only when nothing was measured."""
    return max(statuses, key=severity, default=ComponentStatus.NOT_CONFIGURED)


@dataclass(frozen=True)
class Component:
    slug: str
    name: str | Promise
    description: str | Promise


COMPONENTS: tuple[Component, ...] = (
    Component("web", _("Website and booking"), _("The site answering over HTTPS.")),
    Component("database", _("Database"), _("Where clubs, members and bookings are kept.")),
    Component(
        "cache", _("Cache and task queue"), _("Redis: cache, rate limits and the task queue.")
    ),
    Component("workers", _("Background workers"), _("Email, reminders and scheduled jobs.")),
    Component("email", _("Email delivery"), _("The outgoing mail relay.")),
    Component("certificate", _("HTTPS certificate"), _("The certificate of the site.")),
    Component("storage", _("Server storage"), _("Free disk space for data and logs.")),
    Component("backups", _("Backups"), _("Backups and restore drills.")),
    Component("security", _("Security monitoring"), _("Database and dependency audits, alerts.")),
)
COMPONENT_SLUGS = tuple(component.slug for component in COMPONENTS)


def component_named(slug: str) -> Component | None:
    return next((c for c in COMPONENTS if c.slug == slug), None)

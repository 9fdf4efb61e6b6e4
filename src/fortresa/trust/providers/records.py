"""Sections read from other apps' records: database audit, detection, patching, uptime."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club
from fortresa.trust.providers.base import Fact, Link, Provider, Section, Status, register

# Audits run daily; one missing for more than a week means the schedule stopped.
AUDIT_MAX_AGE = dt.timedelta(days=8)
DETECTION_WINDOW = dt.timedelta(days=30)
UPTIME_TARGET_PER_MILLE = 995


@register
class DatabaseAccessProvider(Provider):
    slug = "database"
    title = _("Database access")
    promise = _(
        "Only the application and named operators reach the database, from known places, "
        "with their own roles; the server's access rules are audited against the policy."
    )
    requires_app = "fortresa.dbaccess"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        run = import_module("fortresa.dbaccess.selectors").latest_database_audit()
        if run is None:
            return self.not_configured(_("No database access audit has run on this server."))
        problems = []
        if not run.passed:
            problems.append(_("The last database access audit found problems."))
        if now - run.ran_at > AUDIT_MAX_AGE:
            problems.append(_("The last database access audit is more than eight days old."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=(
                Fact("audit_ran_at", _("Last audit"), run.ran_at, "datetime"),
                Fact("audit_passed", _("Passed"), bool(run.passed), "yesno"),
                Fact("audit_errors", _("Errors found"), int(run.error_count)),
                Fact("audit_warnings", _("Warnings found"), int(run.warning_count)),
            ),
            checked_at=run.ran_at,
            reasons=tuple(problems),
            how_to_check=(_("Operators: fortresa db audit --json."),),
        )


SENSOR_NAMES = {
    "http": _("web requests"),
    "sql": _("application SQL statements"),
    "auth": _("sign-in and account events"),
    "csp": _("browser policy reports"),
    "pglog": _("database server log"),
}


def _active_sensors() -> list[str]:
    """Sensors installed in the request path, and watchers that have read their source."""
    sensors = []
    if "fortresa.detection.sensors.http.DetectionMiddleware" in settings.MIDDLEWARE:
        sensors += ["http", "sql"]
    cursor = import_module("fortresa.detection.models").SensorCursor
    if cursor.objects.filter(name="accounts.SecurityEvent").exists():
        sensors.append("auth")
    if cursor.objects.filter(name="hardening.CspReport").exists():
        sensors.append("csp")
    if (
        getattr(settings, "FORTRESA_PG_JSONLOG", "")
        and cursor.objects.filter(name__startswith="pglog:").exists()
    ):
        sensors.append("pglog")
    return sensors


@register
class DetectionProvider(Provider):
    slug = "detection"
    title = _("Threat detection")
    promise = _(
        "Requests, database statements, the database log and account events are watched for "
        "attacks; the security team is alerted as they happen."
    )
    requires_app = "fortresa.detection"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        models = import_module("fortresa.detection.models")
        channels = import_module("fortresa.detection.channels").enabled_channels()
        since = now - DETECTION_WINDOW
        recent = models.Alert.objects.filter(first_seen__gte=since)
        counts = dict.fromkeys(models.Alert.Severity.values, 0)
        for severity in recent.values_list("severity", flat=True):
            counts[severity] = counts.get(severity, 0) + 1
        delays = [
            (delivery.delivered_at - delivery.alert.first_seen).total_seconds()
            for delivery in models.AlertDelivery.objects.filter(
                alert__first_seen__gte=since, status=models.AlertDelivery.Status.SENT
            ).select_related("alert")
        ]
        failed = models.AlertDelivery.objects.filter(
            alert__first_seen__gte=since, status=models.AlertDelivery.Status.FAILED
        ).exists()
        sensors = _active_sensors()
        facts = [
            Fact(
                "sensors",
                _("Sensors active"),
                sensors,
                display=", ".join(str(SENSOR_NAMES[name]) for name in sensors),
            ),
            Fact("channels", _("Alert channels configured"), len(channels)),
            *(
                Fact(
                    f"alerts_{severity}",
                    _("Alerts in the last 30 days: %(severity)s") % {"severity": label},
                    counts[severity],
                )
                for severity, label in models.Alert.Severity.choices
            ),
            Fact(
                "mean_time_to_alert_seconds",
                _("Mean time from detection to alert"),
                round(sum(delays) / len(delays)) if delays else None,
                "seconds",
            ),
        ]
        problems = []
        if not sensors:
            problems.append(_("No sensor is watching."))
        if not channels:
            problems.append(_("No alert channel is configured: alerts would reach nobody."))
        if failed:
            problems.append(_("An alert could not be delivered in the last 30 days."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=tuple(facts),
            checked_at=now,
            reasons=tuple(problems),
        )


@register
class PatchingProvider(Provider):
    slug = "patching"
    title = _("Security updates")
    promise = _(
        "The software the platform depends on is audited against the public vulnerability "
        "databases, and updated when a fix is published."
    )
    requires_app = "fortresa.supplychain"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        run = import_module("fortresa.supplychain.selectors").last_audit_run()
        if run is None:
            return self.not_configured(_("No dependency audit has run on this server."))
        problems = []
        if run.result != "passed":
            problems.append(_("The last dependency audit did not pass."))
        if now - run.ran_at > AUDIT_MAX_AGE:
            problems.append(_("The last dependency audit is more than eight days old."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=(
                Fact("audit_ran_at", _("Last audit"), run.ran_at, "datetime"),
                Fact("audit_passed", _("Passed"), run.result == "passed", "yesno"),
                Fact("packages_checked", _("Packages checked"), int(run.packages_checked)),
            ),
            checked_at=run.ran_at,
            reasons=tuple(problems),
            how_to_check=(_("Operators: fortresa deps audit."),),
        )


def _status_page() -> str:
    try:
        return reverse("status:page")
    except NoReverseMatch:
        return ""


@register
class AvailabilityProvider(Provider):
    slug = "availability"
    title = _("Availability")
    promise = _("The service is watched every minute and its status is published.")
    requires_app = "fortresa.status"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        uptime = import_module("fortresa.status.uptime")
        history: Any = uptime.uptime_histories(["web"], now=now)["web"]
        percent = history.percent
        link = _status_page()
        links = (Link(_("Status page"), link),) if link else ()
        if percent is None:
            return self.section(
                Status.NOT_CONFIGURED,
                reasons=(_("No uptime has been measured yet."),),
                how_to_check=links,
            )
        measured = [day.day for day in history.days if day.runs]
        problems = []
        if round(percent * 10) < UPTIME_TARGET_PER_MILLE:
            problems.append(_("Uptime over the last 90 days is below 99.5%."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=(
                Fact(
                    "uptime_90_days", _("Uptime over the last 90 days"), f"{percent:.2f}", "percent"
                ),
                Fact("days_measured", _("Days measured"), len(measured)),
            ),
            checked_at=now,
            reasons=tuple(problems),
            how_to_check=links,
        )

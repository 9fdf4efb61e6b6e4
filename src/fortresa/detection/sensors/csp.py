"""CSP violation reports: whoever stores a report at ``/csp-report/`` hands it here."""

from __future__ import annotations

from typing import Any

from django.apps import apps

from fortresa.detection.alerts import raise_alert
from fortresa.detection.models import Alert, SensorCursor

CSP_REPORT_CURSOR = "hardening.CspReport"

_FIELDS = (
    "document-uri",
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "source-file",
    "line-number",
    "disposition",
)


def observe_csp_report(report: dict[str, Any], *, ip_address: str | None = None) -> Alert:
    """Raise (or bump) a CSP violation alert for one report (``csp-report`` body or
    Reporting API ``body``); repeats of one directive and blocked URI are deduplicated."""
    body = report.get("csp-report") or report.get("body") or report
    if not isinstance(body, dict):
        body = {}
    normalised = {key: str(body.get(key) or body.get(_camel(key)) or "")[:300] for key in _FIELDS}
    directive = normalised["effective-directive"] or normalised["violated-directive"]
    return raise_alert(
        kind=Alert.Kind.CSP_VIOLATION,
        severity=Alert.Severity.LOW,
        source="csp",
        subject=directive,
        key=normalised["blocked-uri"],
        evidence={**normalised, "ip_address": ip_address or ""},
    )


def _camel(key: str) -> str:
    head, *rest = key.split("-")
    return head + "".join(part.title() for part in rest).replace("Uri", "URL")


def poll_csp_reports(*, limit: int = 1000) -> int:
    """Raise alerts for reports the hardening app stored since the last call."""
    try:
        model = apps.get_model("hardening", "CspReport")
    except LookupError:
        return 0
    cursor, _ = SensorCursor.objects.get_or_create(name=CSP_REPORT_CURSOR)
    rows = list(model.objects.filter(pk__gt=cursor.position).order_by("pk")[:limit])
    for row in rows:
        report = {
            "document-uri": row.document_uri,
            "violated-directive": row.violated_directive,
            "effective-directive": row.effective_directive,
            "blocked-uri": row.blocked_uri,
            "source-file": row.source_file,
            "line-number": row.line_number or "",
            "disposition": row.disposition,
        }
        observe_csp_report(report, ip_address=row.ip_address)
        cursor.position = row.pk
    if rows:
        cursor.save(update_fields=["position"])
    return len(rows)

"""Account and application events: lockouts, stuffing, success after failures, 2FA off,
roles granted, mass exports, bursts of access denials.

Other apps report through ``observe_account_event`` (kinds are the ones of
``accounts.SecurityEvent``, plus ``access.denied``); ``poll_security_events`` reads the
accounts app's SecurityEvent table, so the login-security code needs no call of ours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from fortresa.detection.alerts import raise_alert
from fortresa.detection.conf import detection_settings
from fortresa.detection.models import Alert, Observation, SensorCursor

SECURITY_EVENT_CURSOR = "accounts.SecurityEvent"
_PRIVILEGED_ROLES = {"admin", "staff"}


def _count(kind: str, *, since: dt.datetime, source: str = "", subject: str = "") -> int:
    rows = Observation.objects.filter(kind=kind, at__gte=since)
    if source:
        rows = rows.filter(source=source)
    if subject:
        rows = rows.filter(subject=subject)
    return rows.count()


def observe_account_event(
    kind: str,
    *,
    ip_address: str | None = None,
    subject: str = "",
    details: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Alert | None:
    """Record one account or application event and raise the alert it completes, if any.

    ``subject`` names the account (``user:<id>``) or the resource; never a secret.
    """
    config = detection_settings()
    now = at or timezone.now()
    since = now - dt.timedelta(seconds=config.burst_window_seconds)
    source = ip_address or ""
    details = details or {}
    evidence = {"event": kind, "ip_address": source, "subject": subject, **details}
    with transaction.atomic():
        if kind in ("login.failed", "access.denied", "data.exported", "login.succeeded"):
            Observation.objects.create(kind=kind, source=source, subject=subject, at=now)
        if kind == "account.locked":
            return raise_alert(
                kind=Alert.Kind.ACCOUNT_LOCKOUT,
                severity=Alert.Severity.MEDIUM,
                source="auth",
                subject=subject,
                evidence=evidence,
                at=now,
            )
        if kind == "login.failed" and source:
            accounts = (
                Observation.objects.filter(kind=kind, source=source, at__gte=since)
                .values("subject")
                .distinct()
                .count()
            )
            if accounts >= config.stuffing_accounts:
                return raise_alert(
                    kind=Alert.Kind.CREDENTIAL_STUFFING,
                    severity=Alert.Severity.HIGH,
                    source="auth",
                    subject=source,
                    at=now,
                    evidence={**evidence, "accounts_tried": accounts},
                )
        if kind == "login.succeeded":
            failures = _count("login.failed", since=since, subject=subject) if subject else 0
            if failures >= config.account_failure_burst:
                return raise_alert(
                    kind=Alert.Kind.LOGIN_AFTER_FAILURES,
                    severity=Alert.Severity.HIGH,
                    source="auth",
                    subject=subject,
                    at=now,
                    evidence={**evidence, "failures_before": failures},
                )
        if kind == "two_factor.disabled":
            return raise_alert(
                kind=Alert.Kind.TWO_FACTOR_DISABLED,
                severity=Alert.Severity.MEDIUM,
                source="auth",
                subject=subject,
                evidence=evidence,
                at=now,
            )
        if kind == "role.changed":
            granted = str(details.get("to") or details.get("role") or "")
            severity = Alert.Severity.HIGH if granted in _PRIVILEGED_ROLES else Alert.Severity.LOW
            return raise_alert(
                kind=Alert.Kind.ROLE_GRANTED,
                severity=severity,
                source="auth",
                subject=subject,
                evidence=evidence,
                key=granted,
                at=now,
            )
        if kind == "data.exported":
            exports = _count(kind, since=since, source=source) if source else 0
            if exports >= config.export_burst:
                return raise_alert(
                    kind=Alert.Kind.MASS_EXPORT,
                    severity=Alert.Severity.HIGH,
                    source="auth",
                    subject=source,
                    evidence={**evidence, "exports": exports},
                    at=now,
                )
        if kind == "access.denied" and source:
            denials = _count(kind, since=since, source=source)
            if denials >= config.denial_burst:
                return raise_alert(
                    kind=Alert.Kind.ACCESS_DENIED_BURST,
                    severity=Alert.Severity.MEDIUM,
                    source="http",
                    subject=source,
                    evidence={**evidence, "denials": denials},
                    at=now,
                )
    return None


def _subject(user_id: int | None, details: dict[str, Any], event_id: int) -> str:
    if user_id:
        return f"user:{user_id}"
    # An address that names no account: a keyed hash if the event carries one, else the
    # attempt counts as its own account (stuffing lists are mostly unknown addresses).
    return str(details.get("account_key") or f"unknown:{event_id}")


def poll_security_events(*, limit: int = 1000) -> int:
    """Feed new rows of ``accounts.SecurityEvent`` to the rules; returns how many were read."""
    try:
        model = apps.get_model("accounts", "SecurityEvent")
    except LookupError:
        return 0
    cursor, _ = SensorCursor.objects.get_or_create(name=SECURITY_EVENT_CURSOR)
    rows = list(model.objects.filter(pk__gt=cursor.position).order_by("pk")[:limit])
    for row in rows:
        details = {
            k: v for k, v in dict(row.details or {}).items() if isinstance(v, str | int | bool)
        }
        observe_account_event(
            str(row.kind),
            ip_address=row.ip_address,
            subject=_subject(row.user_id, details, row.pk),
            details=details,
            at=row.created_at,
        )
        cursor.position = row.pk
    if rows:
        cursor.save(update_fields=["position"])
    return len(rows)

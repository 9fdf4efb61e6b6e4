"""PostgreSQL log sensor: follows a ``jsonlog`` file and raises the database alerts.

The cluster runs with ``log_destination = 'jsonlog'``, ``logging_collector = on``,
``log_connections``, ``log_disconnections`` and ``log_min_error_statement = error``; for
large-read detection also ``session_preload_libraries = 'auto_explain'`` with
``auto_explain.log_analyze = on`` and ``auto_explain.log_format = json`` (see
docs/operations/detection.md).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.detection.alerts import raise_alert
from fortresa.detection.conf import DetectionSettings, detection_settings
from fortresa.detection.models import Alert, KnownPrincipal, Observation, SensorCursor

Record = dict[str, Any]

HARMFUL_APPLICATIONS = re.compile(
    r"sqlmap|havij|pangolin|sqlninja|bbqsql|jsql|nmap|hydra|medusa|ncrack|metasploit|msf|"
    r"patator|crackmapexec|nuclei",
    re.I,
)
SHELL_CLIENTS = re.compile(
    r"^(?:psql|pgcli|usql|pgadmin|dbeaver|datagrip|pg_dump|pg_dumpall)", re.I
)
FAULTY_STATEMENT_STATES = frozenset(
    {
        "42601",
        "42000",
        "42P01",
        "42703",
        "42883",
        "42804",
        "42P18",
        "42725",
        "22P02",
        "21000",
        "22012",
        "2201B",
        "42P08",
        "22018",
        "42846",
    }
)
_AUTHORIZED = re.compile(
    r"^connection authorized: user=(?P<user>\S+) database=(?P<db>\S+)"
    r"(?:.*?application_name=(?P<app>.*))?$"
)
_RECEIVED = re.compile(r"^connection received: host=(?P<host>\S+)")
_FAILED_ROLE = re.compile(r'authentication failed for user "(?P<user>[^"]*)"')
_UNKNOWN_ROLE = re.compile(r'Role "[^"]*" does not exist')
_PLAN_ROWS = re.compile(r'"Actual Rows":\s*(?P<rows>\d+)')
AUTH_FAILED = "db.auth_failed"


def _timestamp(record: Record) -> dt.datetime:
    raw = str(record.get("timestamp") or "")
    try:
        return dt.datetime.strptime(raw.replace(" UTC", "+0000"), "%Y-%m-%d %H:%M:%S.%f%z")
    except ValueError:
        return timezone.now()


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


class PgLogAnalyzer:
    """Applies the database rules to jsonlog records, one at a time, in log order."""

    def __init__(self, config: DetectionSettings | None = None) -> None:
        self.config = config or detection_settings()
        self.session_rows: dict[str, int] = {}
        self.reported_sessions: set[str] = set()

    def feed(self, record: Record) -> list[Alert]:
        message = str(record.get("message") or "")
        state = str(record.get("state_code") or "")
        severity = str(record.get("error_severity") or "")
        alerts: list[Alert | None] = []
        with transaction.atomic():
            if message.startswith("connection received:"):
                alerts.append(self._received(record, message))
            elif message.startswith("connection authorized:"):
                alerts.extend(self._authorized(record, message))
            elif severity == "FATAL" and state in ("28P01", "28000"):
                alerts.append(self._auth_failed(record, message))
            elif severity == "ERROR" and state in FAULTY_STATEMENT_STATES:
                alerts.append(self._faulty_statement(record, message, state))
            elif '"Actual Rows"' in message:
                alerts.append(self._plan(record, message))
            elif message.startswith("disconnection:"):
                self.session_rows.pop(str(record.get("session_id")), None)
        return [alert for alert in alerts if alert is not None]

    def _evidence(self, record: Record, **extra: Any) -> dict[str, Any]:
        keys = (
            "timestamp",
            "user",
            "dbname",
            "remote_host",
            "application_name",
            "session_id",
            "error_severity",
            "state_code",
            "message",
            "detail",
            "statement",
            "backend_type",
        )
        return {**{k: record[k] for k in keys if record.get(k) not in (None, "")}, **extra}

    def _received(self, record: Record, message: str) -> Alert | None:
        match = _RECEIVED.match(message)
        host = match.group("host") if match else str(record.get("remote_host") or "")
        if host in ("[local]", ""):
            return None
        address = _address(host)
        if address is not None and any(address in n for n in self.config.db_allowed_networks):
            return None
        return raise_alert(
            kind=Alert.Kind.DB_UNUSUAL_LOCATION,
            severity=Alert.Severity.HIGH,
            source="pglog",
            subject=host,
            evidence=self._evidence(record),
            at=_timestamp(record),
        )

    def _authorized(self, record: Record, message: str) -> list[Alert | None]:
        match = _AUTHORIZED.match(message)
        role = match.group("user") if match else str(record.get("user") or "")
        application = (match.group("app") if match and match.group("app") else None) or str(
            record.get("application_name") or ""
        )
        host = str(record.get("remote_host") or "[local]")
        at = _timestamp(record)
        found: list[Alert | None] = [
            self._application(record, application, host, at),
            self._principal(record, role, host, at),
        ]
        since = at - dt.timedelta(seconds=self.config.db_failure_window_seconds)
        failures = Observation.objects.filter(
            kind__startswith=AUTH_FAILED, source=host, at__gte=since
        ).count()
        if failures >= self.config.db_failure_burst:
            found.append(
                raise_alert(
                    kind=Alert.Kind.DB_LOGIN_AFTER_FAILURES,
                    severity=Alert.Severity.CRITICAL,
                    source="pglog",
                    subject=f"{role}@{host}",
                    at=at,
                    evidence=self._evidence(record, failures_before=failures),
                )
            )
        return found

    def _application(
        self, record: Record, application: str, host: str, at: dt.datetime
    ) -> Alert | None:
        harmful = bool(HARMFUL_APPLICATIONS.search(application))
        shell_from_app_host = (
            bool(SHELL_CLIENTS.match(application)) and host in self.config.db_app_hosts
        )
        if not (harmful or shell_from_app_host):
            return None
        return raise_alert(
            kind=Alert.Kind.DB_HARMFUL_APPLICATION,
            severity=Alert.Severity.HIGH if harmful else Alert.Severity.MEDIUM,
            source="pglog",
            subject=f"{application}@{host}",
            at=at,
            evidence=self._evidence(record, application_name=application),
        )

    def _principal(self, record: Record, role: str, host: str, at: dt.datetime) -> Alert | None:
        known = KnownPrincipal.objects.filter(role=role, source=host).first()
        stale_before = at - dt.timedelta(days=self.config.db_unfamiliar_days)
        # The very first principal is the baseline: nothing to compare it with yet.
        baseline = KnownPrincipal.objects.exists()
        if known is None:
            KnownPrincipal.objects.create(role=role, source=host, first_seen=at, last_seen=at)
            unfamiliar = baseline
        else:
            unfamiliar = known.last_seen < stale_before
            known.last_seen = max(known.last_seen, at)
            known.save(update_fields=["last_seen"])
        if not unfamiliar:
            return None
        return raise_alert(
            kind=Alert.Kind.DB_UNFAMILIAR_PRINCIPAL,
            severity=Alert.Severity.MEDIUM,
            source="pglog",
            subject=f"{role}@{host}",
            at=at,
            evidence=self._evidence(record, last_seen=known.last_seen.isoformat() if known else ""),
        )

    def _auth_failed(self, record: Record, message: str) -> Alert | None:
        host = str(record.get("remote_host") or "[local]")
        match = _FAILED_ROLE.search(message)
        role = match.group("user") if match else str(record.get("user") or "")
        unknown = bool(_UNKNOWN_ROLE.search(str(record.get("detail") or "")))
        kind = f"{AUTH_FAILED}.{'unknown' if unknown else 'valid'}"
        at = _timestamp(record)
        Observation.objects.create(kind=kind, source=host, subject=role, at=at)
        since = at - dt.timedelta(seconds=self.config.db_failure_window_seconds)
        count = Observation.objects.filter(kind=kind, source=host, at__gte=since).count()
        if count < self.config.db_failure_burst:
            return None
        alert_kind = (
            Alert.Kind.DB_BRUTE_FORCE_UNKNOWN_ROLE
            if unknown
            else Alert.Kind.DB_BRUTE_FORCE_VALID_ROLE
        )
        return raise_alert(
            kind=alert_kind,
            severity=Alert.Severity.HIGH,
            source="pglog",
            subject=host,
            at=at,
            evidence=self._evidence(record, failures=count, role=role),
        )

    def _faulty_statement(self, record: Record, message: str, state: str) -> Alert | None:
        role = str(record.get("user") or "")
        if role not in self.config.db_app_roles:
            return None
        return raise_alert(
            kind=Alert.Kind.SQL_FAULTY_STATEMENT,
            severity=Alert.Severity.HIGH,
            source="pglog",
            subject=role,
            key=state,
            at=_timestamp(record),
            evidence=self._evidence(record),
        )

    def _plan(self, record: Record, message: str) -> Alert | None:
        match = _PLAN_ROWS.search(message)
        session = str(record.get("session_id") or "")
        if match is None or not session:
            return None
        total = self.session_rows.get(session, 0) + int(match.group("rows"))
        self.session_rows[session] = total
        if total < self.config.db_large_read_rows or session in self.reported_sessions:
            return None
        self.reported_sessions.add(session)
        return raise_alert(
            kind=Alert.Kind.DB_UNUSUAL_EXPORT,
            severity=Alert.Severity.HIGH,
            source="pglog",
            subject=f"{record.get('user', '')}@{record.get('remote_host', '[local]')}",
            key=session,
            at=_timestamp(record),
            evidence=self._evidence(record, rows_read=total, message=message[:300]),
        )


def _log_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    return [path] if path.exists() else []


def read_new_records(path: Path) -> Iterator[Record]:
    """Records appended to the jsonlog file(s) at ``path`` since the last call."""
    for log_file in _log_files(path):
        stat = log_file.stat()
        identity = f"{stat.st_dev}:{stat.st_ino}"
        cursor, _ = SensorCursor.objects.get_or_create(name=f"pglog:{log_file.resolve()}")
        if cursor.identity != identity or stat.st_size < cursor.position:
            cursor.identity, cursor.position = identity, 0
        with log_file.open("rb") as handle:
            handle.seek(cursor.position)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # the server is still writing this line
                cursor.position += len(raw)
                try:
                    record = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record
        cursor.save(update_fields=["identity", "position"])


def follow_once(path: Path, analyzer: PgLogAnalyzer) -> int:
    """Read what is new at ``path`` and feed it; returns the number of records read."""
    count = 0
    for record in read_new_records(path):
        analyzer.feed(record)
        count += 1
    return count

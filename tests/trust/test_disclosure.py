"""Nothing on the page or in the JSON helps an attacker: no addresses, internal host
names, software versions or alert details, even when every record holds some."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from fortresa.backups.models import BackupAlert, BackupRun, RestoreDrill, Result
from fortresa.dbaccess.models import DatabaseAuditRun
from fortresa.detection.models import Alert
from fortresa.notifications.models import DnsCheck
from fortresa.payments.services.gateways import configure_gateway
from fortresa.supplychain.models import AuditRun
from tests.factories import make_club

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
INTERNAL_NAMES = ("db.internal.example", "backup-host.corp", "hooks.internal.example")
GRADERS = {"www.ssllabs.com", "developer.mozilla.org"}
SOFTWARE = re.compile(
    r"(?i)\b(django|python|postgres(?:ql)?|nginx|granian|gunicorn|redis|celery|openssl|"
    r"pgbackrest|examplesserver|exampleserver)\W{0,2}v?\d"
)
SEMVER = re.compile(r"(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w.])")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
INTERNAL_HOST = re.compile(r"(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:internal|local|lan|corp)\b")


@pytest.fixture
def revealing_records(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records as they look on a real server: full of hosts, addresses and versions."""
    now = timezone.now()
    monkeypatch.setenv("FORTRESA_BACKUP_ENGINE", "pgbackrest")
    monkeypatch.setenv("FORTRESA_BACKUP_REPO2_TYPE", "posix")
    monkeypatch.setenv("FORTRESA_BACKUP_REPO2_PATH", "/mnt/backup-host.corp/repo2")
    monkeypatch.setenv("FORTRESA_HOSTING_LOCATION", "France")
    settings.FORTRESA_DPO_CONTACT = "dpo@localhost"
    settings.FORTRESA_ALERT_WEBHOOK_URL = "https://hooks.internal.example/alerts"
    settings.FORTRESA_ALERT_WEBHOOK_SECRET = (
        "a webhook secret of the test"  # pragma: allowlist secret
    )
    settings.FORTRESA_PG_JSONLOG = "/var/log/postgresql/postgresql-15-main.json"
    BackupRun.objects.create(
        engine="pgbackrest",
        repository=2,
        kind="full",
        started_at=now,
        finished_at=now,
        result=Result.FAILED,
        error="backup-host.corp (10.20.30.40) refused: pgBackRest 2.54.0",
    )
    BackupAlert.objects.create(
        kind=BackupAlert.Kind.WAL_LAG,
        subject="archive",
        message="WAL 900 s behind on db.internal.example",
        details={"lag_seconds": 900.0, "host": "10.20.30.41"},
        raised_at=now,
        last_seen_at=now,
    )
    RestoreDrill.objects.create(
        engine="pgbackrest",
        repository=1,
        mode="latest",
        started_at=now,
        finished_at=now,
        result=Result.FAILED,
        error="PostgreSQL 15.8 on db.internal.example:5433 failed",
    )
    DatabaseAuditRun.objects.create(
        ran_at=now,
        server="db.internal.example:5432",
        passed=False,
        error_count=1,
        findings=[{"detail": "host all all 10.0.0.0/8 trust"}],
    )
    AuditRun.objects.create(
        result=AuditRun.Result.FAILED,
        mode="online",
        fail_on="high",
        database="/srv/osv",
        packages_checked=99,
        findings=[{"package": "django", "version": "4.2.1"}],
    )
    Alert.objects.create(
        kind="sql_injection",
        severity="critical",
        source="198.51.100.7",
        subject="/c/demo/?q=1' OR 1=1--",
        dedup_key="k",
        first_seen=now,
        last_seen=now,
        evidence={"value": "' OR 1=1--", "ip": "198.51.100.7"},
    )
    DnsCheck.objects.create(
        domain="localhost", checked_at=now, passed=True, results=[{"record": "spf", "status": "ok"}]
    )
    configure_gateway(actor=None, club=make_club(), provider="paypal", credentials={})


def _problems(text: str, public_hosts: set[str]) -> list[str]:
    found = [f"IPv4 {m}" for m in IPV4.findall(text)]
    for token in re.findall(r"[0-9A-Fa-f:]{2,}", text):
        if token.count(":") >= 2:
            try:
                ipaddress.IPv6Address(token)
            except ValueError:
                continue
            found.append(f"IPv6 {token}")
    found += [f"host {m.group(0)}" for m in INTERNAL_HOST.finditer(text)]
    found += [f"named host {name}" for name in INTERNAL_NAMES if name in text]
    found += [f"version {m.group(0)}" for m in SEMVER.finditer(text)]
    found += [f"software {m.group(0)}" for m in SOFTWARE.finditer(text)]
    for url in re.findall(r"https?://[^\s\"'<>]+", text):
        host = urlsplit(url).hostname or ""
        if host not in public_hosts | GRADERS:
            found.append(f"link to {host}")
    for word in ("OR 1=1", "sql_injection", "/srv/osv", "postgresql-15", "Server"):
        if word in text:
            found.append(f"detail {word!r}")
    return found


def test_page_reveals_no_address_host_version_or_alert_detail(client, site, revealing_records):
    text = client.get("/security/").content.decode()

    assert "data-section" in text
    assert _problems(text, {"localhost"}) == []


def test_json_reveals_no_address_host_version_or_alert_detail(client, site, revealing_records):
    text = client.get("/security.json").content.decode()

    assert '"sections"' in text
    assert _problems(text, {"localhost"}) == []


def test_scanner_finds_what_it_looks_for():
    planted = (
        "10.1.2.3 fe80::1 db.internal.example nginx/1.25.3 2.54.0 PostgreSQL 15 "
        "https://evil.example/ OR 1=1"
    )

    problems = " | ".join(_problems(planted, {"localhost"}))

    for expected in ("IPv4 10.1.2.3", "IPv6 fe80::1", "named host db.internal.example",
                     "software nginx/1", "version 2.54.0", "software PostgreSQL 1",
                     "link to evil.example", "detail 'OR 1=1'"):  # fmt: skip
        assert expected in problems

"""A backup condition reaches the security contacts through detection, once."""

from __future__ import annotations

import pytest

from fortresa.backups.alerts import raise_alert, resolve_alert
from fortresa.backups.models import BackupAlert
from fortresa.detection.models import Alert

pytestmark = pytest.mark.django_db


def test_a_failed_drill_raises_a_security_alert_and_is_marked_delivered() -> None:
    opened = raise_alert(kind="drill_failed", subject="repo2", message="pg_amcheck failed")

    alert = Alert.objects.get(kind="backup_drill_failed")
    assert (alert.severity, alert.source, alert.subject) == ("high", "backups", "repo2")
    assert alert.evidence["message"] == "pg_amcheck failed"
    assert BackupAlert.objects.get(pk=opened.pk).delivered_at is not None


def test_a_lasting_condition_is_delivered_once() -> None:
    raise_alert(kind="wal_lag", subject="repo1", message="WAL lag 400 s")
    raise_alert(kind="wal_lag", subject="repo1", message="WAL lag 460 s")

    assert Alert.objects.filter(kind="backup_wal_lag").count() == 1


def test_a_corrupted_repository_is_critical() -> None:
    raise_alert(kind="verify_failed", subject="repo1", message="checksum mismatch")

    assert Alert.objects.get(kind="backup_verify_failed").severity == "critical"


def test_a_condition_that_returns_after_resolving_is_delivered_again() -> None:
    raise_alert(kind="backup_failed", subject="repo1", message="first")
    resolve_alert(kind="backup_failed", subject="repo1")
    Alert.objects.update(state="resolved")

    raise_alert(kind="backup_failed", subject="repo1", message="again")

    assert Alert.objects.filter(kind="backup_failed").count() == 2

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fortresa.supplychain.models import AuditRun
from fortresa.supplychain.selectors import last_audit_age, last_audit_run

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _run(result: str, hours_ago: float) -> AuditRun:
    return AuditRun.objects.create(
        result=result,
        mode="offline",
        fail_on="low",
        ran_at=timezone.now() - timedelta(hours=hours_ago),
    )


def test_last_audit_run_is_the_most_recent_whatever_its_result() -> None:
    _run("passed", hours_ago=30)
    newest = _run("failed", hours_ago=2)

    assert last_audit_run() == newest


def test_last_audit_age_is_measured_from_the_newest_run() -> None:
    now = timezone.now()
    run = _run("passed", hours_ago=5)

    assert last_audit_age(now=now) == now - run.ran_at


def test_no_audit_has_no_age() -> None:
    assert last_audit_run() is None
    assert last_audit_age() is None

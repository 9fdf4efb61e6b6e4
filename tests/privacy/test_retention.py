"""The daily purge applies the retention schedule without breaking the audit chain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent, User
from fortresa.bookings.models import Booking
from fortresa.core.audit import record_event, verify_chain
from fortresa.core.models import AuditEvent
from fortresa.detection.models import Alert
from fortresa.privacy.erasure import erase_account
from fortresa.privacy.models import Erasure
from fortresa.privacy.retention import purge_expired, retention_schedule
from fortresa.privacy.tasks import purge_expired_data
from tests.factories import make_club, make_membership, make_user
from tests.privacy.conftest import make_booking

LATER = dt.timedelta(days=4000)


@pytest.mark.django_db
def test_schedule_lists_every_category_with_its_default() -> None:
    days = {rule.category: rule.days for rule in retention_schedule()}
    assert days == {
        "inactive_accounts": 1095,
        "booking_history": 1095,
        "payment_records": 3650,
        "logs": 365,
        "audit_events": 1825,
        "alerts": 730,
        "backups": 90,
    }


@pytest.mark.django_db
def test_old_security_events_are_purged_and_recent_ones_kept() -> None:
    user = make_user()
    old = record_security_event(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user)
    SecurityEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    recent = record_security_event(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user)
    purge_expired()
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_inactive_account_is_erased_and_operator_kept() -> None:
    member, operator = make_user(), make_user(is_staff=True)
    User.objects.update(last_login=timezone.now() - dt.timedelta(days=1200))
    purge_expired()
    assert Erasure.objects.get().user_id == member.pk
    assert User.objects.get(pk=operator.pk).is_active


@pytest.mark.django_db
def test_old_booking_without_payment_is_deleted() -> None:
    club = make_club()
    member = make_membership(club).user
    booking = make_booking(club, member)
    purge_expired(now=timezone.now() + dt.timedelta(days=1200))
    assert not Booking.objects.filter(pk=booking.pk).exists()


@pytest.mark.django_db
def test_resolved_alert_is_purged_but_alert_tied_to_a_breach_is_kept() -> None:
    now = timezone.now()
    common: dict[str, Any] = {
        "kind": Alert.Kind.XSS,
        "severity": "high",
        "source": "http",
        "dedup_key": "k",
        "first_seen": now,
        "last_seen": now,
        "state": Alert.State.RESOLVED,
    }
    plain = Alert.objects.create(**common)
    tied = Alert.objects.create(**common, breach_reference="BR-2030-0001")
    purge_expired(now=now + dt.timedelta(days=800))
    remaining = Alert.objects.filter(pk__in=[plain.pk, tied.pk]).values_list("pk", flat=True)
    assert list(remaining) == [tied.pk]


@pytest.mark.django_db
def test_audit_purge_leaves_a_chain_that_verifies() -> None:
    old = [record_event(action=f"test.old{i}") for i in range(3)]
    cutoff = timezone.now()
    kept = record_event(action="test.kept")
    purge_expired(now=cutoff + dt.timedelta(days=1825))
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(action="audit.purged").exists()
    assert verify_chain().intact


@pytest.mark.django_db
def test_erasure_seal_is_forgotten_after_the_grace_period() -> None:
    user = make_user()
    erase_account(user=user, actor=None)
    purge_expired(now=timezone.now() + dt.timedelta(days=15))
    erasure = Erasure.objects.get()
    assert (erasure.sealed_snapshot, erasure.key_hash) == (None, "")


@pytest.mark.django_db
def test_zero_days_keeps_a_category(settings: Any) -> None:
    settings.FORTRESA_RETENTION_DAYS = {"logs": 0, "inactive_accounts": 0}
    event = record_security_event(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=make_user())
    purge_expired(now=timezone.now() + LATER)
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_daily_task_reports_what_it_purged() -> None:
    # Called as the worker calls it; .delay().get() depends on how other tests left Celery.
    result = purge_expired_data()
    assert "logs" in result
    assert "erasure_seals" in result

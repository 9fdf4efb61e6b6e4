"""Recorded redactions and purges keep the audit chain verifiable; others do not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from fortresa.core.audit import purge_events, record_event, redact_events, verify_chain
from fortresa.core.models import AuditEvent


@pytest.mark.django_db
def test_recorded_redaction_verifies() -> None:
    event = record_event(action="test.a", target="user:1", details={"email": "a@example.test"})
    record_event(action="test.b")
    redact_events(changes={event.pk: {"details": {"email": "erased"}}}, reason="erasure")
    assert AuditEvent.objects.get(pk=event.pk).details == {"email": "erased"}
    assert verify_chain().intact


@pytest.mark.django_db
def test_change_beyond_the_recorded_redaction_is_reported() -> None:
    event = record_event(action="test.a", details={"email": "a@example.test"})
    redact_events(changes={event.pk: {"details": {}}}, reason="erasure")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute("UPDATE core_auditevent SET target = 'forged' WHERE id = %s", [event.pk])
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    assert verify_chain().first_broken_id == event.pk


@pytest.mark.django_db
def test_redaction_cannot_touch_chain_columns() -> None:
    event = record_event(action="test.a")
    with pytest.raises(ValueError, match="cannot be redacted"):
        redact_events(changes={event.pk: {"action": "forged"}}, reason="x")


@pytest.mark.django_db
def test_purge_without_checkpoint_is_reported() -> None:
    events = [record_event(action=f"test.{i}") for i in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[0].pk])
        cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    assert verify_chain().first_broken_id == events[1].pk


@pytest.mark.django_db
def test_purge_with_checkpoint_verifies() -> None:
    for i in range(3):
        record_event(action=f"test.{i}")
    assert purge_events(before=timezone.now() + dt.timedelta(seconds=1)) == 3
    record_event(action="test.after")
    assert verify_chain().intact

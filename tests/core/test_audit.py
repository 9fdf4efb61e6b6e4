from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from fortresa.core.audit import GENESIS, record_event, verify_chain
from fortresa.core.models import AuditEvent
from tests.factories import make_user


def _tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back, as an attacker with SQL would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only"
            )
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


@pytest.mark.smoke
@pytest.mark.django_db
def test_each_event_links_to_the_previous_hash() -> None:
    first = record_event(action="auth.login", target="user:1")
    second = record_event(action="auth.logout", target="user:1")
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert verify_chain().intact


@pytest.mark.smoke
@pytest.mark.django_db
def test_event_records_the_actor() -> None:
    user = make_user(email="actor@example.test")
    event = record_event(action="club.role_changed", actor=user, club_id=7, details={"to": "staff"})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label, stored.club_id) == (
        user.pk,
        "actor@example.test",
        7,
    )
    assert stored.details == {"to": "staff"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_model_refuses_updates_and_deletes() -> None:
    event = record_event(action="auth.login")
    event.action = "auth.logout"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
def test_postgresql_trigger_refuses_updates_through_sql() -> None:
    record_event(action="auth.login")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.update(action="forged")


@pytest.mark.smoke
@pytest.mark.django_db
def test_verify_reports_the_first_changed_row() -> None:
    events = [record_event(action=f"test.event{i}") for i in range(5)]
    _tamper("UPDATE core_auditevent SET target = %s WHERE id = %s", ["forged", events[2].pk])
    report = verify_chain()
    assert report.first_broken_id == events[2].pk
    assert "content" in report.reason


@pytest.mark.smoke
@pytest.mark.django_db
def test_verify_reports_a_deleted_row_at_its_successor() -> None:
    events = [record_event(action=f"test.event{i}") for i in range(4)]
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert report.first_broken_id == events[2].pk
    assert "link" in report.reason


@pytest.mark.smoke
@pytest.mark.django_db
def test_audit_verify_command_passes_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    record_event(action="auth.login")
    call_command("audit", "verify")
    assert "intact: 1 events" in capsys.readouterr().out


@pytest.mark.smoke
@pytest.mark.django_db
def test_audit_verify_command_fails_on_a_broken_chain() -> None:
    events = [record_event(action=f"test.event{i}") for i in range(3)]
    _tamper("UPDATE core_auditevent SET details = %s WHERE id = %s", ['{"x": 1}', events[0].pk])
    with pytest.raises(CommandError, match=f"broken at event #{events[0].pk}"):
        call_command("audit", "verify")

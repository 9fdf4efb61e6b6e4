from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone, translation
from pytest_django.fixtures import Settings as SettingsWrapper

from fortresa.core.models import AuditEvent
from fortresa.detection.alerts import raise_alert, set_alert_state
from fortresa.detection.breach import BreachRecordUnavailable, open_breach_record
from fortresa.detection.channels.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)
from fortresa.detection.models import Alert, AlertDelivery
from tests.detection.conftest import WEBHOOK_SECRET, WebhookReceiver, webhook_documents
from tests.factories import make_user

pytestmark = pytest.mark.django_db

opened_breaches: list[int] = []


def open_test_breach(*, alert: Alert, actor: object) -> str:
    opened_breaches.append(alert.pk)
    return f"BR-{alert.pk}"


def _raise(**overrides: object) -> Alert:
    fields: dict[str, object] = {
        "kind": Alert.Kind.SQL_INJECTION,
        "severity": Alert.Severity.HIGH,
        "source": "http",
        "subject": "203.0.113.9",
        "evidence": {"value": "1' OR '1'='1"},
    }
    fields.update(overrides)
    return raise_alert(**fields)  # type: ignore[arg-type]


def test_repeat_within_window_bumps_count_instead_of_new_alert() -> None:
    first = _raise()
    second = _raise(evidence={"value": "2' OR 'a'='a"})
    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.count == 2
    assert second.evidence["latest"] == {"value": "2' OR 'a'='a"}


def test_repeat_after_window_opens_new_alert(settings: SettingsWrapper) -> None:
    settings.FORTRESA_ALERT_DEDUP_SECONDS = 60
    first = _raise(at=timezone.now() - dt.timedelta(minutes=5))
    second = _raise()
    assert second.pk != first.pk


def test_repeat_of_resolved_alert_opens_new_alert() -> None:
    first = _raise()
    set_alert_state(alert=first, state=Alert.State.RESOLVED, actor=None)
    assert _raise().pk != first.pk


def test_evidence_is_redacted_before_it_is_stored() -> None:
    alert = _raise(evidence={"statement": "CREATE ROLE x PASSWORD 'do-not-store-me'"})
    alert.refresh_from_db()
    assert "do-not-store-me" not in json.dumps(alert.evidence)


def test_state_change_is_audited() -> None:
    alert = _raise()
    operator = make_user(is_staff=True)
    set_alert_state(alert=alert, state=Alert.State.FALSE_POSITIVE, actor=operator, note="scanner")
    alert.refresh_from_db()
    assert (alert.state, alert.note, alert.state_changed_by) == (
        "false_positive",
        "scanner",
        operator,
    )
    assert AuditEvent.objects.filter(action="detection.alert_state_changed").exists()


def test_new_alert_is_emailed_to_security_team(
    settings: SettingsWrapper, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_SECURITY_EMAILS = ["security@club.test"]
    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise(evidence={"dsn": "postgresql://app:pw-in-dsn@db/x"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["security@club.test"]
    assert "Potential SQL injection" in mail.outbox[0].subject
    assert "pw-in-dsn" not in mail.outbox[0].body
    assert alert.deliveries.get().status == AlertDelivery.Status.SENT


def test_repeat_is_not_delivered_again(
    settings: SettingsWrapper, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_SECURITY_EMAILS = ["security@club.test"]
    with django_capture_on_commit_callbacks(execute=True):
        _raise()
        _raise()
    assert len(mail.outbox) == 1


def test_webhook_carries_valid_hmac_signature_over_timestamp_and_body(
    webhook: WebhookReceiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise()
    [request] = webhook.requests
    headers = request["headers"]
    assert verify_signature(
        WEBHOOK_SECRET, headers[TIMESTAMP_HEADER], request["body"], headers[SIGNATURE_HEADER]
    )
    assert webhook_documents(webhook)[0]["id"] == alert.pk


def test_webhook_signature_fails_for_other_secret_or_changed_body(
    webhook: WebhookReceiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _raise()
    [request] = webhook.requests
    timestamp, signature = (
        request["headers"][TIMESTAMP_HEADER],
        request["headers"][SIGNATURE_HEADER],
    )
    assert not verify_signature("another-secret-0123456789", timestamp, request["body"], signature)
    assert not verify_signature(WEBHOOK_SECRET, timestamp, request["body"] + b" ", signature)
    assert not verify_signature(
        WEBHOOK_SECRET, str(int(timestamp) - 3600), request["body"], signature
    )


def test_webhook_is_retried_until_the_receiver_accepts(
    webhook: WebhookReceiver, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    webhook.failures_left = 2
    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise()
    assert len(webhook.requests) == 3
    delivery = alert.deliveries.get(channel="webhook")
    assert (delivery.status, delivery.attempts) == (AlertDelivery.Status.SENT, 3)


def test_webhook_failure_after_all_attempts_is_recorded(
    webhook: WebhookReceiver, settings: SettingsWrapper, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_ALERT_WEBHOOK_ATTEMPTS = 2
    webhook.failures_left = 5
    with django_capture_on_commit_callbacks(execute=True):
        alert = _raise()
    assert len(webhook.requests) == 2
    assert alert.deliveries.get(channel="webhook").status == AlertDelivery.Status.FAILED


def test_webhook_without_secret_sends_nothing(
    webhook: WebhookReceiver, settings: SettingsWrapper, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_ALERT_WEBHOOK_SECRET = ""
    with django_capture_on_commit_callbacks(execute=True):
        _raise()
    assert webhook.requests == []


def test_critical_alert_opens_breach_record_through_configured_opener(
    settings: SettingsWrapper,
) -> None:
    settings.FORTRESA_BREACH_RECORD_OPENER = "tests.detection.test_alerts.open_test_breach"
    alert = _raise(severity=Alert.Severity.CRITICAL)
    reference = open_breach_record(alert=alert, actor=None)
    alert.refresh_from_db()
    assert reference == alert.breach_reference == f"BR-{alert.pk}"
    assert AuditEvent.objects.filter(action="detection.breach_record_opened").exists()


def test_non_critical_alert_cannot_open_breach_record(settings: SettingsWrapper) -> None:
    settings.FORTRESA_BREACH_RECORD_OPENER = "tests.detection.test_alerts.open_test_breach"
    alert = _raise(severity=Alert.Severity.HIGH)
    with pytest.raises(BreachRecordUnavailable):
        open_breach_record(alert=alert, actor=None)


def test_alert_email_is_in_the_deployment_language_whatever_the_thread_has_active(
    settings: SettingsWrapper, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.FORTRESA_SECURITY_EMAILS = ["security@club.test"]
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        _raise(evidence={})
    assert "Potential SQL injection" in mail.outbox[0].subject

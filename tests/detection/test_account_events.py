from __future__ import annotations

import pytest

from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent
from fortresa.detection.models import Alert
from fortresa.detection.sensors.auth import observe_account_event, poll_security_events
from fortresa.detection.sensors.csp import observe_csp_report
from tests.factories import make_user

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.66"


def test_lockout_event_raises_lockout_alert() -> None:
    user = make_user()
    record_security_event(kind=SecurityEvent.Kind.ACCOUNT_LOCKED, user=user, ip_address=ATTACKER)
    poll_security_events()
    alert = Alert.objects.get()
    assert (alert.kind, alert.subject) == ("account_lockout", f"user:{user.pk}")


def test_failures_on_many_accounts_from_one_source_is_credential_stuffing() -> None:
    for _ in range(5):
        record_security_event(
            kind=SecurityEvent.Kind.LOGIN_FAILED, user=make_user(), ip_address=ATTACKER
        )
    poll_security_events()
    alert = Alert.objects.get(kind=Alert.Kind.CREDENTIAL_STUFFING)
    assert alert.subject == ATTACKER
    assert alert.evidence["accounts_tried"] == 5


def test_failures_on_one_account_are_not_stuffing() -> None:
    user = make_user()
    for _ in range(5):
        record_security_event(kind=SecurityEvent.Kind.LOGIN_FAILED, user=user, ip_address=ATTACKER)
    poll_security_events()
    assert not Alert.objects.filter(kind=Alert.Kind.CREDENTIAL_STUFFING).exists()


def test_success_after_many_failures_alerts() -> None:
    user = make_user()
    for _ in range(10):
        record_security_event(kind=SecurityEvent.Kind.LOGIN_FAILED, user=user, ip_address=ATTACKER)
    record_security_event(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, ip_address=ATTACKER)
    poll_security_events()
    alert = Alert.objects.get(kind=Alert.Kind.LOGIN_AFTER_FAILURES)
    assert alert.evidence["failures_before"] == 10


def test_success_after_one_failure_is_ordinary() -> None:
    user = make_user()
    record_security_event(kind=SecurityEvent.Kind.LOGIN_FAILED, user=user, ip_address=ATTACKER)
    record_security_event(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, ip_address=ATTACKER)
    poll_security_events()
    assert not Alert.objects.exists()


def test_two_factor_turned_off_alerts() -> None:
    user = make_user()
    record_security_event(kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED, user=user)
    poll_security_events()
    assert Alert.objects.get().kind == "two_factor_disabled"


def test_role_granted_to_admin_is_high_severity() -> None:
    user = make_user()
    record_security_event(kind=SecurityEvent.Kind.ROLE_CHANGED, user=user, details={"to": "admin"})
    poll_security_events()
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("role_granted", "high")


def test_repeated_exports_from_one_source_is_mass_export() -> None:
    for _ in range(3):
        record_security_event(
            kind=SecurityEvent.Kind.DATA_EXPORTED, user=make_user(), ip_address=ATTACKER
        )
    poll_security_events()
    assert Alert.objects.get().kind == "mass_export"


def test_events_are_read_once() -> None:
    record_security_event(kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED, user=make_user())
    assert poll_security_events() == 1
    assert poll_security_events() == 0


def test_observe_api_alone_raises_access_denied_burst() -> None:
    for _ in range(20):
        observe_account_event("access.denied", ip_address=ATTACKER, subject="/c/x/manage/")
    assert Alert.objects.get().kind == "access_denied_burst"


def test_csp_report_raises_deduplicated_violation_alert() -> None:
    report = {
        "csp-report": {
            "document-uri": "https://localhost:8443/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/x.js",
        }
    }
    observe_csp_report(report, ip_address=ATTACKER)
    alert = observe_csp_report(report, ip_address=ATTACKER)
    assert (alert.kind, alert.subject, alert.count) == ("csp_violation", "script-src-elem", 2)

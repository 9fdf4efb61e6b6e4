"""The breach register: opened from a critical alert, the 72-hour clock, the console."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from fortresa.detection.breach import open_breach_record
from fortresa.detection.models import Alert
from fortresa.privacy.breaches import (
    LateWithoutReasons,
    claim_due_reminders,
    open_breach,
    record_authority_notification,
)
from fortresa.privacy.models import Breach, BreachReminder
from fortresa.privacy.tasks import send_breach_reminders
from tests.factories import make_club, make_membership
from tests.privacy.conftest import make_booking


def _critical_alert(evidence: dict[str, Any]) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        kind=Alert.Kind.SQL_INJECTED_STATEMENT,
        severity=Alert.Severity.CRITICAL,
        source="sql",
        subject="203.0.113.9",
        dedup_key="k",
        evidence=evidence,
        first_seen=now - dt.timedelta(minutes=5),
        last_seen=now,
    )


@pytest.mark.django_db
def test_critical_alert_opens_a_breach_estimating_the_clubs_booking_members() -> None:
    club, other = make_club(), make_club()
    members = [make_membership(club).user for _ in range(3)]
    make_booking(club, members[0]).partners.add(members[1])
    make_booking(club, members[2], days=3)
    make_booking(other, make_membership(other).user)
    alert = _critical_alert(
        {
            "statement": "SELECT * FROM bookings_booking WHERE note = '' OR 1=1",
            "path": f"/c/{club.slug}/book/",
        }
    )
    reference = open_breach_record(alert=alert, actor=None)
    breach = Breach.objects.get(reference=reference)
    assert (breach.approx_subjects, breach.approx_records) == (3, 2)
    assert breach.club == club
    assert breach.alert == alert
    assert breach.aware_at == alert.first_seen


@pytest.mark.django_db
def test_alert_naming_no_table_assumes_every_personal_table() -> None:
    club = make_club()
    make_membership(club)
    breach = Breach.objects.get(reference=open_breach_record(alert=_critical_alert({}), actor=None))
    assert breach.estimate_basis["assumed_all_tables"] is True
    assert breach.approx_subjects >= 1


@pytest.mark.django_db
def test_operator_correction_marks_the_estimate_corrected(operator_client: Client) -> None:
    breach = open_breach(title="Leak", aware_at=timezone.now(), actor=None, basis={"tables": []})
    data = {
        "title": "Leak",
        "aware_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
        "nature": ["confidentiality"],
        "approx_subjects": "40",
        "approx_records": "120",
    }
    response = operator_client.post(f"/ops/breaches/{breach.pk}/edit/", data)
    assert response.status_code == 302
    breach.refresh_from_db()
    assert (breach.approx_subjects, breach.approx_records, breach.estimate_corrected) == (
        40,
        120,
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [(23, []), (24.5, [24]), (49, [24, 48]), (66.2, [24, 48, 66])],
)
def test_reminders_are_due_at_24_48_and_66_hours(hours_ago: float, expected: list[int]) -> None:
    now = timezone.now()
    breach = open_breach(title="x", aware_at=now - dt.timedelta(hours=hours_ago), actor=None)
    claim_due_reminders(now=now)
    assert (
        sorted(BreachReminder.objects.filter(breach=breach).values_list("hours", flat=True))
        == expected
    )


@pytest.mark.django_db
def test_reminder_goes_to_security_contacts_once(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FORTRESA_SECURITY_EMAILS = ["soc@example.test", "dpo@example.test"]
    open_breach(title="x", aware_at=timezone.now() - dt.timedelta(hours=25), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_breach_reminders() == 1
        assert send_breach_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["dpo@example.test", "soc@example.test"]
    assert all("24" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_notified_breach_gets_no_reminder(settings: Any) -> None:
    settings.FORTRESA_SECURITY_EMAILS = ["soc@example.test"]
    breach = open_breach(title="x", aware_at=timezone.now() - dt.timedelta(hours=10), actor=None)
    record_authority_notification(breach=breach, actor=None, channel="web form")  # type: ignore[arg-type]
    assert claim_due_reminders(now=timezone.now() + dt.timedelta(hours=30)) == []


@pytest.mark.django_db
def test_late_notification_requires_reasons() -> None:
    breach = open_breach(title="x", aware_at=timezone.now() - dt.timedelta(hours=80), actor=None)
    with pytest.raises(LateWithoutReasons):
        record_authority_notification(breach=breach, actor=None, channel="web form")  # type: ignore[arg-type]
    assert Breach.objects.get(pk=breach.pk).status == Breach.Status.OPEN


@pytest.mark.django_db
def test_late_notification_form_without_reasons_is_refused(operator_client: Client) -> None:
    breach = open_breach(title="x", aware_at=timezone.now() - dt.timedelta(hours=80), actor=None)
    response = operator_client.post(
        f"/ops/breaches/{breach.pk}/notified/", {"channel": "web form", "language": "en"}
    )
    assert response.status_code == 400
    assert Breach.objects.get(pk=breach.pk).authority_notified_at is None


@pytest.mark.django_db
def test_late_notification_with_reasons_is_recorded(operator_client: Client) -> None:
    breach = open_breach(title="x", aware_at=timezone.now() - dt.timedelta(hours=80), actor=None)
    response = operator_client.post(
        f"/ops/breaches/{breach.pk}/notified/",
        {"channel": "web form", "language": "fr", "delay_reasons": "Forensics took four days."},
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert (breach.status, breach.delay_reasons) == (
        Breach.Status.NOTIFIED,
        "Forensics took four days.",
    )


@pytest.mark.django_db
def test_console_shows_overdue_breach_in_red(operator_client: Client) -> None:
    late = open_breach(title="late", aware_at=timezone.now() - dt.timedelta(hours=73), actor=None)
    fresh = open_breach(title="fresh", aware_at=timezone.now(), actor=None)
    page = operator_client.get("/ops/breaches/").content.decode()
    late_row = page[page.index(late.reference) - 200 : page.index(late.reference)]
    fresh_row = page[page.index(fresh.reference) - 200 : page.index(fresh.reference)]
    assert 'class="overdue"' in late_row
    assert 'class="overdue"' not in fresh_row
    assert "fortresa/privacy.css" in page


@pytest.mark.django_db
def test_member_cannot_open_the_breach_register(member_client: Client) -> None:
    assert member_client.get("/ops/breaches/").status_code == 403


@pytest.mark.django_db
def test_operator_records_a_breach_by_hand(operator_client: Client) -> None:
    club = make_club()
    make_membership(club)
    response = operator_client.post(
        "/ops/breaches/new/",
        {
            "title": "Laptop stolen",
            "aware_at": "2030-01-02 10:00",
            "club": club.slug,
            "tables": "accounts_user",
        },
    )
    assert response.status_code == 302
    breach = Breach.objects.get(title="Laptop stolen")
    assert (breach.club, breach.approx_subjects) == (club, 1)


@pytest.mark.django_db
def test_unknown_club_slug_is_a_form_error(operator_client: Client) -> None:
    response = operator_client.post(
        "/ops/breaches/new/", {"title": "x", "aware_at": "2030-01-02 10:00", "club": "nope"}
    )
    assert response.status_code == 400
    assert not Breach.objects.exists()

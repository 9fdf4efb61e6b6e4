"""Operator pieces: the status console, incidents written by hand, and /ops/metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from fortresa.core.models import AuditEvent
from fortresa.status.components import ComponentStatus
from fortresa.status.models import Incident, IncidentStatus, Subscriber
from fortresa.status.probes import Probe, ProbeOutcome
from fortresa.status.services.monitoring import run_status_checks
from tests.accounts.support import sign_in_verified
from tests.factories import make_user


class _Down(Probe):
    slug = "https"
    component = "web"

    def check(self, *, now: dt.datetime, conf: object) -> ProbeOutcome:  # type: ignore[override]
        return ProbeOutcome(ComponentStatus.MAJOR_OUTAGE, "refused", 12.5)


@pytest.mark.django_db
def test_metrics_expose_component_and_probe_status_to_loopback(client: Client) -> None:
    run_status_checks(probes=[_Down()])

    response = client.get("/ops/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    body = response.content.decode()
    assert 'fortresa_component_status{component="web"} 3' in body
    assert 'fortresa_component_up{component="web"} 0' in body
    assert 'fortresa_probe_response_seconds{probe="https"} 0.0125' in body
    assert "fortresa_open_incidents 1" in body


@pytest.mark.django_db
def test_metrics_refuse_an_address_outside_the_allowlist(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORTRESA_METRICS_ALLOWED_CIDRS", "10.20.0.0/16")

    response = client.get("/ops/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 403


@pytest.mark.django_db
def test_metrics_allow_an_address_inside_the_allowlist(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORTRESA_METRICS_ALLOWED_CIDRS", "127.0.0.0/30")

    assert client.get("/ops/metrics", REMOTE_ADDR="127.0.0.2").status_code == 200


def test_console_sends_anonymous_visitors_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/ops/status/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_console_refuses_members(client: Client, db: None) -> None:
    client.force_login(make_user())

    assert client.get("/ops/status/").status_code == 403


@pytest.fixture
def staff(db: None) -> tuple[Client, Any]:
    """An operator signed in past the accounts area's two-factor gate on /ops/."""
    user = make_user(is_staff=True)
    return sign_in_verified(Client(), user), user


def test_operator_opens_an_incident_and_subscribers_are_told(
    staff: tuple[Client, Any], django_capture_on_commit_callbacks: Any
) -> None:
    client, user = staff
    now = timezone.now()
    Subscriber.objects.create(
        email="fan@example.test",
        language="en",
        created_at=now,
        confirmation_sent_at=now,
        confirmed_at=now,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/ops/status/incidents/",
            {
                "incident-title": "Payments delayed",
                "incident-impact": "partial_outage",
                "incident-components": ["web", "email"],
                "incident-status": "identified",
                "incident-message": "A provider is slow.",
            },
        )

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.title, incident.components, incident.status) == (
        "Payments delayed",
        ["web", "email"],
        "identified",
    )
    assert mail.outbox[0].subject.endswith("Payments delayed")
    assert AuditEvent.objects.filter(action="status.incident_opened", actor_id=user.pk).exists()


def test_operator_resolves_an_incident_with_an_update(staff: tuple[Client, Any]) -> None:
    client, _user = staff
    from fortresa.status.services.incidents import open_incident

    incident = open_incident(
        actor=None, title="Slow", impact="degraded", components=["web"], message="Looking."
    )

    response = client.post(
        f"/ops/status/incidents/{incident.pk}/updates/",
        {"status": "resolved", "message": "All good."},
    )

    incident.refresh_from_db()
    assert response.status_code == 302
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at is not None


def test_maintenance_ending_before_it_starts_is_a_form_error(staff: tuple[Client, Any]) -> None:
    client, _user = staff

    response = client.post(
        "/ops/status/maintenance/",
        {
            "maintenance-title": "Upgrade",
            "maintenance-components": ["database"],
            "maintenance-starts_at": "2026-05-01T10:00",
            "maintenance-ends_at": "2026-05-01T09:00",
            "maintenance-message": "x",
        },
    )

    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_maintenance_times_are_taken_as_utc(staff: tuple[Client, Any]) -> None:
    client, _user = staff

    client.post(
        "/ops/status/maintenance/",
        {
            "maintenance-title": "Upgrade",
            "maintenance-components": ["database"],
            "maintenance-starts_at": "2026-05-01T10:00",
            "maintenance-ends_at": "2026-05-01T11:30",
            "maintenance-message": "x",
        },
    )

    maintenance = Incident.objects.get()
    assert maintenance.scheduled_start == dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
    assert maintenance.kind == Incident.Kind.MAINTENANCE


def test_update_to_an_unknown_incident_is_404(staff: tuple[Client, Any]) -> None:
    client, _user = staff

    response = client.post(
        "/ops/status/incidents/999999/updates/", {"status": "resolved", "message": "x"}
    )

    assert response.status_code == 404


def test_update_with_a_status_of_the_wrong_kind_changes_nothing(
    staff: tuple[Client, Any],
) -> None:
    client, _user = staff
    from fortresa.status.services.incidents import open_incident

    incident = open_incident(
        actor=None, title="Slow", impact="degraded", components=["web"], message="Looking."
    )

    response = client.post(
        f"/ops/status/incidents/{incident.pk}/updates/",
        {"status": "completed", "message": "x"},
    )

    incident.refresh_from_db()
    assert response.status_code == 400
    assert incident.status == IncidentStatus.INVESTIGATING


def test_console_lists_the_latest_probe_results(staff: tuple[Client, Any]) -> None:
    client, _user = staff
    run_status_checks(probes=[_Down()])

    response = client.get("/ops/status/")

    assert response.status_code == 200
    assert "refused" in response.content.decode()

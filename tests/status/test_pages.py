"""The public status page, /status.json, the Atom feed and the health endpoints."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from fortresa.status.components import ComponentStatus
from fortresa.status.models import Incident, IncidentStatus
from fortresa.status.probes import Probe, ProbeOutcome
from fortresa.status.services.incidents import open_incident, schedule_maintenance
from fortresa.status.services.monitoring import count_uptime_sample, run_status_checks
from tests.factories import make_user

ATOM = "{http://www.w3.org/2005/Atom}"


class _Fixed(Probe):
    def __init__(self, slug: str, component: str, status: ComponentStatus, ms: float) -> None:
        self.slug, self.component, self.status, self.ms = slug, component, status, ms

    def check(self, *, now: dt.datetime, conf: object) -> ProbeOutcome:  # type: ignore[override]
        return ProbeOutcome(self.status, "fixed", self.ms)


@pytest.fixture
def monitored(db: None) -> None:
    now = timezone.now()
    for days_ago in range(1, 4):
        count_uptime_sample(
            component="web",
            status=ComponentStatus.MAJOR_OUTAGE if days_ago == 2 else ComponentStatus.OPERATIONAL,
            at=now - dt.timedelta(days=days_ago),
        )
    run_status_checks(
        now=now,
        probes=[
            _Fixed("https", "web", ComponentStatus.OPERATIONAL, 123.4),
            _Fixed("disk", "storage", ComponentStatus.DEGRADED, 1.0),
            _Fixed("redis", "cache", ComponentStatus.NOT_CONFIGURED, 0.0),
        ],
    )
    operator = make_user(is_staff=True)
    open_incident(
        actor=operator,
        title="Slow bookings",
        impact=Incident.Impact.DEGRADED,
        components=["web"],
        message="We are looking into slow booking pages.",
    )
    schedule_maintenance(
        actor=operator,
        title="Database upgrade",
        components=["database"],
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=1),
        message="PostgreSQL moves to a new minor version.",
    )


def _page_components(html: str) -> dict[str, tuple[str, str]]:
    found = re.findall(
        r'data-component="([\w-]+)">.*?data-status="(\w+)".*?data-uptime="([\d.]*)"',
        html,
        flags=re.S,
    )
    return {slug: (status, uptime) for slug, status, uptime in found}


@pytest.mark.smoke
def test_status_json_matches_the_page(monitored: None, client: Client) -> None:
    html = client.get("/status/").content.decode()
    document = client.get("/status.json").json()

    page = _page_components(html)
    assert page == {
        c["id"]: (c["status"], "" if c["uptime_percent"] is None else str(c["uptime_percent"]))
        for c in document["components"]
    }
    assert page["web"] == ("operational", "75.0")
    assert page["storage"][0] == "degraded"
    assert page["cache"][0] == "not_configured"
    assert document["overall"]["label"] in html
    for incident in document["incidents"] + document["maintenance"]:
        assert incident["title"] in html
    assert [i["title"] for i in document["maintenance"]] == ["Database upgrade"]


@pytest.mark.smoke
def test_status_page_draws_the_response_time_chart_without_inline_style(
    monitored: None, client: Client
) -> None:
    response = client.get("/status/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<svg" in html
    assert "<circle" in html
    assert "123.4 ms" in html
    assert "style=" not in html
    assert "<style" not in html
    assert "style-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.smoke
def test_each_uptime_bar_has_a_text_alternative(monitored: None, client: Client) -> None:
    html = client.get("/status/").content.decode()

    bars = re.findall(
        r'<li class="status-bar [^"]*" title="([^"]+)">'
        r'<span class="visually-hidden">([^<]+)</span>',
        html,
    )

    assert len(bars) == 9 * 90
    assert all(title == text and text for title, text in bars)


@pytest.mark.smoke
def test_status_page_speaks_the_requested_language(monitored: None, client: Client) -> None:
    response = client.get("/status/", headers={"accept-language": "fr"})

    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.smoke
def test_atom_feed_lists_incidents_and_maintenance(monitored: None, client: Client) -> None:
    response = client.get("/status/feed.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own feed, just rendered
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert "Slow bookings (Investigating)" in titles
    assert "Database upgrade (Scheduled)" in titles


@pytest.mark.smoke
def test_incident_page_shows_its_updates(monitored: None, client: Client) -> None:
    incident = Incident.objects.get(title="Slow bookings")

    response = client.get(f"/status/incidents/{incident.pk}/")

    assert "We are looking into slow booking pages." in response.content.decode()


@pytest.mark.smoke
@pytest.mark.django_db
def test_unknown_incident_is_404(client: Client) -> None:
    assert client.get("/status/incidents/999999/").status_code == 404


@pytest.mark.smoke
@pytest.mark.django_db
def test_status_page_refuses_post(client: Client) -> None:
    assert client.post("/status/").status_code == 405
    assert client.post("/status.json").status_code == 405


@pytest.mark.smoke
@pytest.mark.django_db
def test_page_without_any_check_says_so(client: Client) -> None:
    document = client.get("/status.json").json()

    assert document["overall"]["status"] == "unknown"
    assert document["stale"] is True


@pytest.mark.smoke
def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query would raise.
    response = client.get("/healthz")

    assert response.json() == {"status": "ok"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_readyz_reports_database_cache_and_migrations(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_unreachable(client: Client, settings: object) -> None:
    from tests.ports import free_port

    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "failing"


@pytest.mark.django_db
def test_resolved_incident_moves_to_past_incidents(client: Client) -> None:
    operator = make_user(is_staff=True)
    incident = open_incident(
        actor=operator, title="Mail delays", impact="degraded", components=["email"], message="x"
    )
    from fortresa.status.services.incidents import post_incident_update

    post_incident_update(
        actor=operator, incident=incident, status=IncidentStatus.RESOLVED, message="Fixed."
    )

    document = client.get("/status.json").json()

    assert document["incidents"] == []
    assert [i["title"] for i in document["recent_incidents"]] == ["Mail delays"]

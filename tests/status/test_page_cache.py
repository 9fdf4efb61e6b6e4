"""The status page's summary is rendered once per language and version of its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fortresa.status.models import IncidentStatus
from fortresa.status.services.incidents import open_incident, post_incident_update
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _page(client: Client, language: str = "en") -> str:
    return client.get("/status/", headers={"accept-language": language}).content.decode()


def test_incident_opened_after_a_cached_render_shows_at_once(client: Client) -> None:
    assert "Mail delays" not in _page(client)

    incident = open_incident(
        actor=make_user(is_staff=True),
        title="Mail delays",
        impact="degraded",
        components=["email"],
        message="Looking into it.",
    )

    assert "Mail delays" in _page(client).split("status-past-heading")[0]
    post_incident_update(
        actor=make_user(is_staff=True),
        incident=incident,
        status=IncidentStatus.RESOLVED,
        message="Fixed.",
    )
    assert "Mail delays" in _page(client).split("status-past-heading")[-1]


def test_cached_summary_is_served_without_reading_the_figures_again(client: Client) -> None:
    _page(client)

    with CaptureQueriesContext(connection) as second:
        _page(client)

    status_reads = [q["sql"] for q in second.captured_queries if "status_" in q["sql"]]
    assert len(status_reads) == 1  # the version of the status rows, nothing more
    assert "max(checked_at)" in status_reads[0]


def test_summary_is_cached_per_language(client: Client) -> None:
    english = _page(client, "en")

    french = _page(client, "fr")

    assert "No uptime figures yet" in english
    assert "No uptime figures yet" not in french

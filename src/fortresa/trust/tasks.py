"""Background jobs of the security page, run by the workers (eagerly in tests)."""

from __future__ import annotations

from celery import shared_task

from fortresa.trust.headers import refresh_site_reading


@shared_task
def read_site() -> bool:
    """Read the site's headers, cookies and TLS over a real request; keep the reading."""
    return refresh_site_reading().ok

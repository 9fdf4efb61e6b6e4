from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.trust.site_server import SiteServer


@pytest.fixture(autouse=True)
def own_cache(settings: Any) -> None:
    """A cache of this test alone: readings of the site must not leak between tests."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "trust-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def site(settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SiteServer]:
    """The public address points at a real local HTTPS server trusted through its own CA."""
    server = SiteServer(tmp_path / "site")
    server.start()
    settings.FORTRESA_SITE_URL = server.url
    monkeypatch.setenv("FORTRESA_STATUS_CA_FILE", str(server.ca_file))
    yield server
    server.stop()

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fortresa.status.conf import StatusSettings, status_settings
from tests.status.servers import RedisServer


@pytest.fixture
def conf() -> StatusSettings:
    return status_settings()


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()

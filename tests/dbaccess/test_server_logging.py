"""The hardened server logs what the detection sensor reads: JSON lines, pgaudit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.dbaccess.conftest import HardenedCluster

pytestmark = pytest.mark.slow


def _log_records(
    hardened: HardenedCluster, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
) -> list[dict[str, Any]]:
    """JSON log records matching ``predicate``, waiting for the collector to write them."""
    log_dir = hardened.cluster.data / hardened.access.log_directory
    deadline = time.monotonic() + timeout
    while True:
        records = [
            json.loads(line)
            for path in sorted(Path(log_dir).glob("*.json"))
            for line in path.read_text(errors="replace").splitlines()
            if line.startswith("{")
        ]
        found = [r for r in records if predicate(r)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_connections_are_logged_as_json(hardened: HardenedCluster) -> None:
    with hardened.connect("app", application_name="fortresa-log-probe") as conn:
        conn.execute("SELECT 1")

    records = _log_records(
        hardened,
        lambda r: (
            "connection authorized" in r.get("message", "")
            and r.get("user") == hardened.access.role("app")
        ),
    )
    assert records


def test_refused_connections_are_logged_as_json(hardened: HardenedCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="rejects connection"):
        hardened.connect("app", sslmode="disable")

    records = _log_records(
        hardened, lambda r: "pg_hba.conf rejects connection" in r.get("message", "")
    )
    assert records


def test_pgaudit_records_role_changes(hardened: HardenedCluster, hardened_admin) -> None:  # type: ignore[no-untyped-def]
    hardened_admin.execute("CREATE ROLE fortresa_pgaudit_probe NOLOGIN")
    hardened_admin.execute("DROP ROLE fortresa_pgaudit_probe")

    records = _log_records(
        hardened,
        lambda r: (
            r.get("message", "").startswith("AUDIT: SESSION")
            and "fortresa_pgaudit_probe" in r.get("message", "")
        ),
    )
    assert len(records) >= 2

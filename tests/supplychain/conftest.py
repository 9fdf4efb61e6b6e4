from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# The dated PyPA snapshot lives beside the repository, never inside it.
PYPA_DB = Path(os.environ.get("ADVISORY_DB", REPO.parent / "shared/advisories/pypa/vulns"))


def write_record(folder: Path, record: dict[str, object], *, as_json: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.{'json' if as_json else 'yaml'}"
    path.write_text(json.dumps(record) if as_json else yaml.safe_dump(record))
    return path


def affected(name: str, events: list[dict[str, str]], versions: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    return {
        "package": {"ecosystem": "PyPI", "name": name},
        "ranges": [{"type": "ECOSYSTEM", "events": events}],
        "versions": versions or [],
    }


@pytest.fixture
def osv_dir(tmp_path: Path) -> Path:
    """A tiny OSV directory in the PyPA layout: one folder per package."""
    root = tmp_path / "vulns"
    write_record(
        root / "django",
        {
            "id": "TEST-2024-1",
            "aliases": ["CVE-2024-0001"],
            "details": "SQL injection in an old Django.",
            "affected": [
                affected(
                    "django",
                    # Unsorted, as in real PyPA records.
                    [
                        {"introduced": "5.0"},
                        {"fixed": "5.0.8"},
                        {"introduced": "4.2"},
                        {"fixed": "4.2.15"},
                    ],
                )
            ],
            "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
            ],
        },
    )
    write_record(
        root / "Example-Pkg",
        {
            "id": "TEST-2024-2",
            "summary": "Denial of service in example-pkg.",
            "affected": [affected("example_pkg", [{"introduced": "0"}, {"last_affected": "1.2"}])],
            "database_specific": {"severity": "MODERATE"},
        },
        as_json=True,
    )
    return root


@pytest.fixture
def pypa_db() -> Path:
    if not PYPA_DB.is_dir():
        pytest.skip(f"no PyPA advisory snapshot at {PYPA_DB} (set ADVISORY_DB to one)")
    return PYPA_DB

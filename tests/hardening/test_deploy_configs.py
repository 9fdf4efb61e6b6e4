"""The reverse proxy configurations in deploy/ are accepted by the servers they are for."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_caddyfile_adapts_without_warnings(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.fail("caddy is missing: run `make system-deps`")
    result = subprocess.run(
        [caddy, "adapt", "--config", str(REPO / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"level":"warn"' not in result.stderr, result.stderr
    config = json.loads(result.stdout)
    text = json.dumps(config)
    assert "max-age=63072000; includeSubDomains; preload" in text
    assert '"protocol_min": "tls1.2"' in text

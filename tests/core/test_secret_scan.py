"""The secret scan CI runs (`make secret-scan`) catches a committed secret."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
REPO = Path(__file__).resolve().parents[2]
HOOK = Path(sys.executable).with_name("detect-secrets-hook")


def _scan(*files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HOOK), "--baseline", ".secrets.baseline", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_scan_fails_on_a_file_holding_a_cloud_key(tmp_path: Path) -> None:
    leaked = tmp_path / "settings_local.py"
    # Assembled at run time so this test file itself holds no key.
    leaked.write_text('AWS_ACCESS_KEY_ID = "' + "AKIA" + "Z7Q2XK4M9P3L6N8R" + '"\n')
    result = _scan(str(leaked))
    assert result.returncode != 0
    assert "AWS Access Key" in result.stdout


def test_baseline_accepts_no_finding() -> None:
    baseline = json.loads((REPO / ".secrets.baseline").read_text())
    assert baseline["results"] == {}


def test_tracked_files_hold_no_secret() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    result = _scan(*tracked)
    assert result.returncode == 0, result.stdout

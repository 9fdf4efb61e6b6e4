"""The production profile refuses to start on missing or placeholder secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FORTRESA_", "DATABASE_URL"))}
    clean.update({"FORTRESA_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "fortresa.cli", "check"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = _check(tmp_path, FORTRESA_PROFILE="production", DATABASE_URL="sqlite:///x.db")
    assert result.returncode != 0
    assert "FORTRESA_SECRET_KEY is a required secret" in result.stderr
    assert not (tmp_path / "secrets").exists()


def test_production_with_placeholder_secret_refuses_to_start(tmp_path: Path) -> None:
    result = _check(
        tmp_path,
        FORTRESA_PROFILE="production",
        FORTRESA_SECRET_KEY="changeme",  # pragma: allowlist secret
        DATABASE_URL="sqlite:///x.db",
    )
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def test_production_requires_a_database_url(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("k" * 64)
    result = _check(tmp_path, FORTRESA_PROFILE="production", FORTRESA_SECRET_KEY_FILE=str(key_file))
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_embedded_profile_generates_its_secret_key(tmp_path: Path) -> None:
    result = _check(tmp_path, FORTRESA_PROFILE="embedded")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secrets" / "fortresa_secret_key").stat().st_mode & 0o777 == 0o600

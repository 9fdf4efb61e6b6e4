"""CycloneDX SBOM of the installed packages, written by cyclonedx-py (PyPI cyclonedx-bom)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SPEC_VERSION = "1.6"
TIMEOUT_SECONDS = 300


class SbomError(Exception):
    """cyclonedx-py could not describe the environment."""


def sbom_command(*, output: Path | None, python: str, pyproject: Path | None = None) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "cyclonedx_py",
        "environment",
        "--output-format",
        "JSON",
        "--spec-version",
        SPEC_VERSION,
        "--output-file",
        str(output) if output else "-",
        # Validating inside cyclonedx-py checks every URL with a slow IRI grammar (about
        # 25 s here); the document is built by the CycloneDX library and the test suite
        # validates it against the strict schema.
        "--no-validate",
    ]
    if pyproject is not None:
        command += ["--pyproject", str(pyproject)]
    return [*command, python]


def write_sbom(
    *, output: Path | None = None, python: str = sys.executable, pyproject: Path | None = None
) -> str:
    """Describe the environment of ``python``; write to ``output`` or return the JSON."""
    try:
        completed = subprocess.run(
            sbom_command(output=output, python=python, pyproject=pyproject),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SbomError(f"cyclonedx-py could not run: {exc}") from exc
    if completed.returncode != 0:
        raise SbomError(f"cyclonedx-py failed: {completed.stderr.strip()}")
    return completed.stdout

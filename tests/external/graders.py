"""Run the independent graders (sslyze, testssl.sh, MDN HTTP Observatory) and read them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OBSERVATORY_SCRIPT = Path(__file__).with_name("observatory_scan.mjs")


def sslyze_binary() -> str:
    """sslyze lives in its own venv (``make grader-deps``): it pins cryptography < 47."""
    for candidate in (
        os.environ.get("FORTRESA_SSLYZE", ""),
        str(Path(sys.executable).parents[1] / "graders" / "bin" / "sslyze"),
        str(REPO / ".venv" / "graders" / "bin" / "sslyze"),
        shutil.which("sslyze") or "",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("sslyze is missing: run `make grader-deps` (a venv at .venv/graders)")


def testssl_binary() -> str:
    found = shutil.which("testssl") or shutil.which("testssl.sh")
    if found is None:
        pytest.fail("testssl.sh 3.2 is missing: run `make system-deps` (bookworm-backports)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    if "version 3.0" in version.stdout.replace("\x1b[1m", "").replace("\x1b[m", ""):
        pytest.fail("testssl.sh 3.0 prints no grade: install 3.2 from bookworm-backports")
    return found


def observatory_dir() -> Path:
    directory = Path(
        os.environ.get(
            "FORTRESA_OBSERVATORY_DIR", REPO / "node_modules" / "@mdn" / "mdn-http-observatory"
        )
    )
    if not (directory / "src" / "retriever" / "retriever.js").is_file():
        pytest.skip(
            f"MDN HTTP Observatory not installed at {directory}: run `make node-deps` "
            "(npm ci --ignore-scripts)"
        )
    # Its postinstall would download the HSTS preload list; --ignore-scripts skips it
    # and the analyser needs the file. An empty list is the truth for a local host.
    preload = directory / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing: the MDN HTTP Observatory runs on Node.js 20+")
    return directory


@dataclass(frozen=True)
class Target:
    """A running HTTPS endpoint to grade, with the CA that signed its certificate."""

    name: str
    host: str
    https_port: int
    http_port: int
    ca_file: Path


def run_sslyze(target: Target, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sslyze_binary(),
            "--mozilla_config=intermediate",
            "--certinfo_ca_file",
            str(target.ca_file),
            f"{target.host}:{target.https_port}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=workdir,
    )


# The checks testssl.sh needs to compute a grade, without its slow extras (client
# simulation, BREACH, Lucky13, SWEET32...): about half the time of a default run.
TESTSSL_CHECKS = [
    "-p", "-s", "-f", "-S", "-P", "-h", "-H", "-I", "-T", "-BB",
    "-R", "-C", "-O", "-Z", "-D", "-A", "-4", "-J",
]  # fmt: skip


def run_testssl(target: Target, workdir: Path) -> dict[str, dict[str, str]]:
    report = workdir / f"testssl-{target.name}.json"
    env = {
        **os.environ,
        # One renegotiation attempt is enough to see it refused (default: ten, 30 s).
        "SSL_RENEG_ATTEMPTS": "1",
        "SSL_RENEG_WAIT": "0.05",
    }
    completed = subprocess.run(
        [
            testssl_binary(),
            "--quiet",
            "--color",
            "0",
            "--warnings",
            "off",
            "--ip",
            "127.0.0.1",
            "--add-ca",
            str(target.ca_file),
            "--jsonfile",
            str(report),
            *TESTSSL_CHECKS,
            f"https://{target.host}:{target.https_port}/",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=workdir,
        env=env,
    )
    if not report.exists():
        pytest.fail(f"testssl.sh wrote no JSON:\n{completed.stdout}\n{completed.stderr}")
    findings = json.loads(report.read_text())
    return {str(item["id"]): item for item in findings}


def run_observatory(target: Target, path: str) -> dict[str, object]:
    directory = observatory_dir()
    completed = subprocess.run(
        [
            "node",
            str(OBSERVATORY_SCRIPT),
            str(directory),
            target.host,
            str(target.http_port),
            str(target.https_port),
            path,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(target.ca_file)},
    )
    if completed.returncode != 0:
        pytest.fail(f"observatory failed on {path}:\n{completed.stdout}\n{completed.stderr}")
    result: dict[str, object] = json.loads(completed.stdout)
    return result

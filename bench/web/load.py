"""wrk (Debian's ``wrk``) as the load tool: a Lua script per scenario, figures as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Printed by every script's done(): wrk's own latency histogram, in microseconds.
DONE = r"""
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench/web needs wrk: apt-get install wrk (Debian package 'wrk')")
    return found


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def get_script(cookie: str = "") -> str:
    header = f'wrk.headers["Cookie"] = {lua_string(cookie)}\n' if cookie else ""
    return header + DONE


def run_wrk(
    name: str, url: str, script: str, *, seconds: int, threads: int = 2, connections: int = 8
) -> Figures:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        path = Path(handle.name)
    try:
        done = subprocess.run(
            [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(path), url],
            check=True, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
    finally:
        path.unlink()
    line = next((row for row in done.stdout.splitlines() if row.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return Figures(
        name=name,
        requests=raw["requests"],
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
        errors=raw["status_errors"] + raw["socket_errors"],
    )

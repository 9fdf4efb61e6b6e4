"""The benchmarked deployment: its own PostgreSQL database, Redis database and var dir,
served by the real ``fortresa serve`` (granian over TLS) with several web processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG = "postgresql://postgres@127.0.0.1:5432"
# What a service manager hands a service (systemd: PATH, LANG and the unit's own settings),
# rather than the whole shell environment of whoever runs the bench: granian copies its
# environment into every request, and the site's entry point drops it again at a cost
# that grows with its size (fortresa.hardening.environ). Until 2026-11-24 the servers got
# the runner's environment (about 40 variables on the machine of that day).
SERVICE_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
# Redis database numbers of the benches' own, flushed before each run.
REDIS_DB = {"web": 14, "rush": 15}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Deployment:
    name: str
    var_dir: Path
    database: str
    port: int
    web_workers: int

    @property
    def base(self) -> str:
        return f"https://localhost:{self.port}"

    @property
    def ca(self) -> Path:
        return self.var_dir / "tls" / "ca.pem"

    def env(self, **extra: str) -> dict[str, str]:
        env = {key: os.environ[key] for key in SERVICE_VARIABLES if key in os.environ}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.web.settings",
            FORTRESA_PROFILE="embedded",
            FORTRESA_VAR_DIR=str(self.var_dir),
            FORTRESA_HTTPS_PORT=str(self.port),
            FORTRESA_WEB_WORKERS=str(self.web_workers),
            FORTRESA_LOG_LEVEL="WARNING",
            DATABASE_URL=f"{PG}/{self.database}",
            REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB[self.name]}",
            PYTHONPATH=f"{ROOT}:{ROOT / 'src'}",
            **extra,
        )
        return env

    def fortresa(self, *args: str, capture: bool = False, **extra: str) -> str:
        done = subprocess.run(
            [str(BIN / "fortresa"), *args],
            env=self.env(**extra), cwd=ROOT, check=True, text=True,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        )  # fmt: skip
        return done.stdout or ""

    def python(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], env=self.env(), cwd=ROOT, check=True, text=True,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        return done.stdout

    def sql(self, query: str) -> str:
        done = subprocess.run(
            ["psql", f"{PG}/{self.database}", "-Atc", query], check=True, text=True, stdout=subprocess.PIPE
        )  # fmt: skip
        return done.stdout.strip()


def bench_var_dir(name: str) -> Path:
    return Path(tempfile.gettempdir()) / f"fortresa-bench-{name}"


def prepare(name: str, *, web_workers: int) -> Deployment:
    """A fresh database, Redis database and var dir, migrated, with static files."""
    var_dir = bench_var_dir(name)
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(mode=0o700)
    deployment = Deployment(name, var_dir, f"fortresa_bench_{name}", free_port(), web_workers)
    for statement in (
        f"DROP DATABASE IF EXISTS {deployment.database}",
        f"CREATE DATABASE {deployment.database}",
    ):
        subprocess.run(["psql", f"{PG}/postgres", "-qc", statement], check=True)
    subprocess.run(
        ["redis-cli", "-n", str(REDIS_DB[name]), "flushdb"], check=True, stdout=subprocess.DEVNULL
    )
    deployment.fortresa("migrate", "--noinput")
    deployment.fortresa("collectstatic", "--noinput")
    return deployment


def seed(deployment: Deployment, members: int, *extra: str) -> dict[str, object]:
    return dict(json.loads(deployment.python("-m", "bench.web.seed", str(members), *extra)))


@dataclass
class Server:
    deployment: Deployment
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        return list(_children(self.process.pid))

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory (VmHWM) of each web process, in MB."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if found:
                peaks.append(int(found.group(1)) / 1024)
        return peaks

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def serve(deployment: Deployment, **extra: str) -> Server:
    """``fortresa serve`` (granian, TLS) until it answers ``/healthz``."""
    log = (deployment.var_dir / "serve.log").open("ab")
    process = subprocess.Popen(
        [str(BIN / "fortresa"), "serve", "--log-level", "warning"],
        env=deployment.env(**extra), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    server = Server(deployment, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"fortresa serve exited; see {deployment.var_dir / 'serve.log'}")
        try:
            answer = requests.get(
                deployment.base + "/healthz", verify=str(deployment.ca), timeout=2
            )
            if answer.status_code == 200 and len(server.worker_pids()) >= deployment.web_workers:
                return server
        except OSError:  # no CA file yet, or not listening yet
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError("fortresa serve did not answer within 60 s")


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
            found.append(int(entry.name))
    return found

"""Start ``fortresa run`` as a real subprocess for the runtime and browser tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.ports import free_port

READY_LINE = "Fortresa is running."
READY_TIMEOUT = 90.0
FORTRESA = Path(sys.executable).with_name("fortresa")


@dataclass
class ProcessInfo:
    pid: int
    pgid: int
    start_time: str


@dataclass
class RunningFortresa:
    process: subprocess.Popen[str]
    var_dir: Path
    https_port: int
    http_port: int
    password: str
    output: list[str] = field(default_factory=list)
    exit_code: int | None = None

    @property
    def base_url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def ca_file(self) -> Path:
        return self.var_dir / "tls" / "ca.pem"

    def text(self) -> str:
        return "".join(self.output)

    def descendants(self) -> list[ProcessInfo]:
        """Every live process below ``fortresa run``, found through /proc."""
        table = {info.pid: (parent, info) for parent, info in _process_table()}
        found: list[ProcessInfo] = []
        frontier = [self.process.pid]
        while frontier:
            parent_pid = frontier.pop()
            for pid, (parent, info) in table.items():
                if parent == parent_pid:
                    found.append(info)
                    frontier.append(pid)
        return found

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM ``fortresa run`` and wait for it; kill leftovers if it hangs."""
        if self.exit_code is not None:
            return self.exit_code
        leftovers = self.descendants()
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for info in [*leftovers, ProcessInfo(self.process.pid, self.process.pid, "")]:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(info.pgid, signal.SIGKILL)
            self.exit_code = self.process.wait(timeout=10)
        return self.exit_code


def start_fortresa(
    var_dir: Path, *, password: str, extra_env: dict[str, str] | None = None
) -> RunningFortresa:
    """Start ``fortresa run`` on free ports with its own var dir; wait until it is ready.

    ``extra_env`` adds or overrides variables, e.g. a ``DATABASE_URL`` for PostgreSQL.
    """
    https_port, http_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FORTRESA_", "DJANGO_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fortresa.settings",
            "FORTRESA_PROFILE": "embedded",
            "FORTRESA_VAR_DIR": str(var_dir),
            "FORTRESA_HTTPS_PORT": str(https_port),
            "FORTRESA_HTTP_PORT": str(http_port),
            "FORTRESA_DEMO_PASSWORD": password,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra_env or {})
    process = subprocess.Popen(
        [str(FORTRESA), "run", "--stop-timeout", "10"],
        cwd=var_dir.parent,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = RunningFortresa(process, var_dir, https_port, http_port, password)
    ready = threading.Event()
    threading.Thread(target=_read_output, args=(running, ready), daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise RuntimeError(f"fortresa run did not become ready:\n{running.text()}")
    return running


def _read_output(running: RunningFortresa, ready: threading.Event) -> None:
    assert running.process.stdout is not None
    for line in running.process.stdout:
        running.output.append(line)
        if line.strip() == READY_LINE:
            ready.set()


def _process_table() -> list[tuple[int, ProcessInfo]]:
    rows = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] in ("Z", "X"):
            continue
        info = ProcessInfo(pid=int(entry.name), pgid=int(fields[2]), start_time=fields[19])
        rows.append((int(fields[1]), info))
    return rows


def alive(info: ProcessInfo) -> bool:
    """Whether this very process (same pid and start time) still runs."""
    return any(
        row.pid == info.pid and row.start_time == info.start_time for _, row in _process_table()
    )


def group_alive(pgid: int) -> bool:
    return any(row.pgid == pgid for _, row in _process_table())

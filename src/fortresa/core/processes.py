"""A small process supervisor for ``fortresa run``.

Each child runs in its own session, hence its own process group, so that stopping it
reaches every process it forked (granian's workers, Celery's pool and beat) and a
Ctrl-C at the terminal reaches only the supervisor, which then stops the children in
order. If any child exits on its own, the supervisor stops the others and reports it:
a half-running platform is worse than a stopped one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.1
# How long stop() waits, after the leaders are reaped, for killed group members to die.
_KILLED_GRACE_SECONDS = 5.0


class ChildExited(RuntimeError):
    """A supervised child stopped although nobody asked it to."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def pgid(self) -> int:
        # Started with start_new_session, so the child leads its own group.
        return self.process.pid


class Supervisor:
    """Starts children in their own process groups and stops all of them together."""

    def __init__(self, *, stop_timeout: float = 10.0, log: Callable[[str], None]) -> None:
        self.stop_timeout = stop_timeout
        self._log = log
        self._children: list[Child] = []
        self._stop_signal: int | None = None
        self._stopped = False

    @property
    def children(self) -> list[Child]:
        return list(self._children)

    @property
    def stop_requested(self) -> bool:
        return self._stop_signal is not None

    def start(self, name: str, argv: list[str], *, env: Mapping[str, str] | None = None) -> Child:
        process = subprocess.Popen(
            argv,
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # Safe here: the supervisor starts no threads.
            preexec_fn=_die_with_parent(os.getpid()),
        )
        child = Child(name=name, process=process)
        self._children.append(child)
        return child

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Turn SIGINT, SIGTERM and SIGHUP into a stop request while the block runs."""

        def request_stop(signum: int, _frame: FrameType | None) -> None:
            self._stop_signal = signum

        previous = {signum: signal.signal(signum, request_stop) for signum in STOP_SIGNALS}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def wait_until(self, ready: Callable[[], bool], *, timeout: float) -> bool:
        """Poll ``ready`` while watching the children; False on stop request or timeout.

        Raises ``ChildExited`` when a child dies meanwhile.
        """
        deadline = time.monotonic() + timeout
        while not self.stop_requested:
            self._check_children()
            if ready():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)
        return False

    def supervise(self) -> int:
        """Block until a stop signal (exit status 0) or a child's death (status 1)."""
        try:
            while not self.stop_requested:
                self._check_children()
                time.sleep(_POLL_SECONDS)
        except ChildExited as exc:
            self._log(f"{exc}; stopping the other processes")
            self.stop()
            return 1
        assert self._stop_signal is not None  # noqa: S101 - loop exit condition
        self._log(f"received {signal.Signals(self._stop_signal).name}; stopping")
        self.stop()
        return 0

    def stop(self) -> None:
        """SIGTERM every child's process group, then SIGKILL what is left after the timeout."""
        if self._stopped:
            return
        self._stopped = True
        for child in self._children:
            _signal_group(child.pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while time.monotonic() < deadline and self._anything_alive():
            time.sleep(_POLL_SECONDS)
        for child in self._children:
            if group_members(child.pgid):
                self._log(f"{child.name} did not stop in {self.stop_timeout:.0f} s; killing it")
                _signal_group(child.pgid, signal.SIGKILL)
        for child in self._children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=5)
        # A killed group's other members may still be running a moment after its leader
        # is reaped (a signal is delivered, not obeyed, by kill): return once they are
        # gone, so no caller sees a process the supervisor has already stopped.
        deadline = time.monotonic() + _KILLED_GRACE_SECONDS
        while time.monotonic() < deadline and self._anything_alive():
            time.sleep(_POLL_SECONDS / 10)

    def _check_children(self) -> None:
        for child in self._children:
            code = child.process.poll()
            if code is not None:
                raise ChildExited(f"{child.name} exited unexpectedly ({_describe(code)})")

    def _anything_alive(self) -> bool:
        for child in self._children:
            child.process.poll()  # reap the leader so it stops counting
        return any(group_members(child.pgid) for child in self._children)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """In the child: ask Linux to SIGTERM it if the supervisor dies without cleaning up."""
    if not sys.platform.startswith("linux"):
        return None

    def arrange() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


def _describe(code: int) -> str:
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from fortresa.core.processes import Supervisor, group_members

pytestmark = pytest.mark.smoke


def _supervisor(messages: list[str], stop_timeout: float = 5.0) -> Supervisor:
    return Supervisor(stop_timeout=stop_timeout, log=messages.append)


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_child_exiting_on_its_own_stops_the_others_and_fails() -> None:
    messages: list[str] = []
    supervisor = _supervisor(messages)
    steady = supervisor.start("steady", ["sleep", "60"])
    supervisor.start("flaky", ["sh", "-c", "exit 3"])

    code = supervisor.supervise()

    assert code == 1
    assert "flaky exited unexpectedly (exit status 3)" in messages[0]
    assert group_members(steady.pgid) == []


def test_stop_terminates_the_whole_process_group_of_a_child(tmp_path: Path) -> None:
    supervisor = _supervisor([])
    marker = tmp_path / "started"
    child = supervisor.start("forker", ["sh", "-c", f"sleep 60 & sleep 60 & touch {marker}; wait"])
    _wait_for(marker)
    assert len(group_members(child.pgid)) == 3

    supervisor.stop()

    assert group_members(child.pgid) == []
    assert child.process.returncode == -signal.SIGTERM


def test_child_ignoring_sigterm_is_killed_after_the_timeout(tmp_path: Path) -> None:
    messages: list[str] = []
    supervisor = _supervisor(messages, stop_timeout=0.5)
    marker = tmp_path / "started"
    child = supervisor.start("stubborn", ["sh", "-c", f"trap '' TERM; touch {marker}; sleep 60"])
    _wait_for(marker)

    supervisor.stop()

    assert group_members(child.pgid) == []
    assert child.process.returncode == -signal.SIGKILL
    assert any("stubborn did not stop" in message for message in messages)


def test_sigterm_to_the_supervisor_stops_children_and_succeeds() -> None:
    messages: list[str] = []
    supervisor = _supervisor(messages)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM))

    with supervisor.handling_signals():
        child = supervisor.start("server", ["sleep", "60"])
        timer.start()
        code = supervisor.supervise()

    assert code == 0
    assert group_members(child.pgid) == []
    assert "received SIGTERM; stopping" in messages


def test_children_die_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from fortresa.core.processes import Supervisor
        supervisor = Supervisor(log=print)
        child = supervisor.start("sleeper", ["sleep", "60"])
        print(child.pgid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pgid = int(parent.stdout.readline())

    parent.kill()
    parent.wait()

    deadline = time.monotonic() + 5
    while group_members(child_pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert group_members(child_pgid) == []

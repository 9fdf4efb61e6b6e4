"""Secrets generated on first run: several processes starting at once share one whole value."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from fortresa.core.env import ConfigError, Env
from fortresa.core.secretfiles import create_once

pytestmark = pytest.mark.smoke

PROCESSES = 8


def _read_secret(directory: str, start: object, results: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    try:
        value = Env({}, secrets_dir=Path(directory), generate_secrets=True).secret("FORTRESA_X")
    except ConfigError as error:
        value = f"error: {error}"
    results.put(value)  # type: ignore[attr-defined]


def test_processes_starting_together_all_get_the_same_complete_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for round_number in range(15):
        directory = tmp_path / f"round-{round_number}"
        start = context.Barrier(PROCESSES)
        results = context.Queue()
        workers = [
            context.Process(target=_read_secret, args=(str(directory), start, results))
            for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        values = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)

        stored = (directory / "fortresa_x").read_text().strip()
        assert values == {stored}, values
        assert len(stored) >= 16
        assert [p.name for p in directory.iterdir()] == ["fortresa_x"]  # no temporary left
        assert stat.S_IMODE((directory / "fortresa_x").stat().st_mode) == 0o600


def test_an_existing_secret_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "key"

    assert create_once(path, b"first") == b"first"
    assert create_once(path, b"second") == b"first"
    assert path.read_bytes() == b"first"

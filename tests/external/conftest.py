"""The independent graders, run against a real ``fortresa run`` and against nginx in front.

Every test here is in one xdist group, so one pytest worker starts the servers once and
runs the graders one after another (they measure timing-sensitive things).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.external.graders import Target
from tests.external.nginx import start_nginx
from tests.ports import free_port
from tests.runtime.launcher import RunningFortresa, start_fortresa

_EXTERNAL_DIR = Path(__file__).parent
PASSWORD = "external graders demo 2026"  # pragma: allowlist secret


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _EXTERNAL_DIR in item.path.parents:
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.xdist_group("external"))


@pytest.fixture(scope="session")
def fortresa_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFortresa]:
    running = start_fortresa(tmp_path_factory.mktemp("external") / "var", password=PASSWORD)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def app_target(fortresa_app: RunningFortresa) -> Target:
    return Target(
        name="app",
        host="localhost",
        https_port=fortresa_app.https_port,
        http_port=fortresa_app.http_port,
        ca_file=fortresa_app.ca_file,
    )


@pytest.fixture(scope="session")
def nginx_target(
    fortresa_app: RunningFortresa, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    tls = fortresa_app.var_dir / "tls"
    http_port, https_port = free_port(), free_port()
    running = start_nginx(
        tmp_path_factory.mktemp("nginx"),
        http_port=http_port,
        https_port=https_port,
        cert=tls / "server.pem",
        key=tls / "server-key.pem",
        upstream_port=fortresa_app.https_port,
        upstream_ca=fortresa_app.ca_file,
    )
    try:
        yield Target("nginx", "localhost", https_port, http_port, fortresa_app.ca_file)
    finally:
        running.stop()


@pytest.fixture(params=["app", "nginx"])
def target(request: pytest.FixtureRequest) -> Target:
    """Each grader runs against the built-in server and against nginx in front of it."""
    found: Target = request.getfixturevalue(f"{request.param}_target")
    return found

"""Browser fixtures for the whole suite: a real ``fortresa run`` and Debian's Chromium.

Registered from tests/conftest.py, so every test directory shares one ``demo_server``
per pytest process instead of each starting its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.runtime.launcher import start_fortresa

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "e2e demo password 2026"  # pragma: allowlist secret


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    password: str
    ca_file: Path


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    running = start_fortresa(tmp_path_factory.mktemp("e2e") / "var", password=DEMO_PASSWORD)
    try:
        yield DemoServer(running.base_url, running.password, running.ca_file)
    finally:
        running.stop()


# Module scope, not session: sync Playwright keeps an event loop running in this thread
# while it lives, and Django then refuses synchronous database work in later tests that
# the same xdist worker runs.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    # TLS verification itself is asserted in tests/runtime against the local CA.
    context = browser.new_context(
        base_url=demo_server.base_url, ignore_https_errors=True, locale="en-US"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()

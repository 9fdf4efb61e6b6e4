"""The status page in Chromium, against a real ``fortresa run`` whose workers run the checks."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import (
    ConsoleMessage,
    Page,
    Response,
    expect,
)

from tests.browser import DemoServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e"), pytest.mark.slow]


def _web_status(page: Page) -> str:
    document = page.request.get("/status.json").json()
    return next(c["status"] for c in document["components"] if c["id"] == "web")


def test_status_page_shows_checks_run_by_the_workers_without_csp_violation(
    page: Page, demo_server: DemoServer
) -> None:
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    def failed(response: Response) -> None:
        # Chromium asks for /favicon.ico on its own; the site has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    page.on("console", watch)
    page.on("response", failed)
    # The beat scheduler runs the probes every 30 s; the HTTPS probe reaches this very
    # server through its local CA.
    deadline = time.monotonic() + 120
    while _web_status(page) == "unknown" and time.monotonic() < deadline:
        time.sleep(2)

    page.goto("/status/")

    expect(page.get_by_role("heading", level=1, name="Service status")).to_be_visible()
    web = page.locator("#component-web")
    expect(web.get_by_role("heading", name="Website and booking")).to_be_visible()
    expect(web.locator(".status-badge")).to_have_text("Operational")
    expect(web.get_by_role("list", name="Daily uptime of Website and booking")).to_be_visible()
    expect(page.get_by_role("button", name="Subscribe to updates")).to_be_visible()
    expect(page.locator("svg.status-chart-svg")).to_have_count(1)
    assert page.locator(".status-bar").count() == 9 * 90
    assert problems == []

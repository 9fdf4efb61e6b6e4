"""In a real browser, markup a member types into their name or a booking note is shown
as text, nothing executes, and the pages raise no CSP violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.external.conftest import PASSWORD
from tests.runtime.launcher import RunningFortresa

NAME = '<script>window.__xss = "name"</script><img src=x onerror="window.__xss=1">'
NOTE = "<img src=x onerror=\"window.__xss='note'\"><script>window.__xss='note'</script>"
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, fortresa_app: RunningFortresa) -> Iterator[Page]:
    context = browser.new_context(
        base_url=fortresa_app.base_url, ignore_https_errors=True, locale="en-US"
    )
    context.set_default_timeout(15_000)
    context.add_init_script(WATCH)
    tab = context.new_page()
    yield tab
    context.close()


def _assert_clean(page: Page, console_errors: list[str], dialogs: list[str]) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__violations") == []
    assert console_errors == []
    assert dialogs == []


def test_markup_in_name_and_note_is_text_and_no_page_violates_the_csp(page: Page) -> None:
    console_errors: list[str] = []
    dialogs: list[str] = []
    # A failed load is reported below by URL (the browser's own /favicon.ico guess aside).
    page.on(
        "console",
        lambda m: (
            console_errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            console_errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Given the demo member signed in, whose name now holds markup
    page.goto("/accounts/login/")
    _assert_clean(page, console_errors, dialogs)
    page.get_by_label("Email address").fill("member@demo.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/accounts/profile/")
    page.get_by_label("Full name").fill(NAME)
    page.get_by_role("button", name="Save").click()
    _assert_clean(page, console_errors, dialogs)

    # When they book a court with markup in the note
    tomorrow = dt.datetime.now(ZoneInfo("Europe/Paris")).date() + dt.timedelta(days=1)
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    _assert_clean(page, console_errors, dialogs)
    page.get_by_role("link", name="Book Court 1 at 19:00").click()
    page.get_by_label("Partners").fill("Alice Martin")
    page.get_by_label("Note").fill(NOTE)
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Court booked")

    # Then the pages that show them show the markup as text, and nothing ran
    page.goto("/accounts/profile/")
    expect(page.get_by_label("Full name")).to_have_value(NAME)
    _assert_clean(page, console_errors, dialogs)
    # (no page shows a booking's note yet; "my bookings" and the grid must not run it)
    page.goto("/bookings/mine/")
    _assert_clean(page, console_errors, dialogs)
    assert page.locator("img[src='x']").count() == 0
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    _assert_clean(page, console_errors, dialogs)
    assert page.locator("img[src='x']").count() == 0

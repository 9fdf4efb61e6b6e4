"""In a real browser against ``fortresa run``: staff cannot open a staff page before
enrolling a second factor, and can once they have."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from fortresa.core.demo import DEMO_SLUG
from tests.e2e.conftest import DemoServer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_staff_must_enrol_two_factor_before_reaching_club_administration(
    page: Page, demo_server: DemoServer
) -> None:
    manage = f"/c/{DEMO_SLUG}/manage/"
    page.goto("/accounts/login/?next=" + manage)
    page.locator("input[name=username]").fill("staff@demo.test")
    page.locator("input[name=password]").fill(demo_server.password)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    page.goto(manage)
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()

    secret = page.locator("code.totp-secret").inner_text()
    page.get_by_label("Six-digit code shown by your authenticator app").fill(
        pyotp.TOTP(secret).now()
    )
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    page.get_by_role("link", name="I have saved my recovery codes").click()

    expect(page).to_have_url(f"{demo_server.base_url}{manage}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(
        "Set up two-factor authentication"
    )

"""A demo member pays a guest fee through the local PayPal simulator."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer


def test_demo_member_pays_a_guest_fee_through_the_simulator(
    page: Page, demo_server: DemoServer
) -> None:
    # Given the demo member signed in, booking Indoor 1 tomorrow at 19:00 with a guest
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("member@demo.test")
    page.get_by_label("Password").fill(demo_server.password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    tomorrow = dt.datetime.now(ZoneInfo("Europe/Paris")).date() + dt.timedelta(days=1)
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    page.get_by_role("link", name="Book Indoor 1 at 19:00").click()
    page.get_by_label("Partners").fill("Bruno Keller")
    page.get_by_label("Guests").fill("Grace Guest")
    page.get_by_role("button", name="Book", exact=True).click()

    # When they pay the guest fee online and approve it on the simulator's page
    expect(page.get_by_role("heading", name="Pay for your booking")).to_be_visible()
    expect(page.get_by_text("Amount due: 10.00 EUR")).to_be_visible()
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("heading", name="PayPal simulator")).to_be_visible()
    expect(page.get_by_text("Amount: 10.00 EUR")).to_be_visible()
    page.get_by_role("button", name="Approve payment").click()

    # Then the payment is confirmed by the gateway and the booking is kept
    expect(page).to_have_url(re.compile(r"/payments/[0-9a-f-]+/return/"))
    expect(page.locator("#payment-state")).to_contain_text("Payment received")
    page.goto("/bookings/mine/")
    row = page.get_by_role("table").filter(has_text="Upcoming bookings").get_by_role("row")
    booked = row.filter(has_text="Indoor 1")
    expect(booked).to_contain_text("19:00")
    expect(booked).not_to_contain_text("Pay now")

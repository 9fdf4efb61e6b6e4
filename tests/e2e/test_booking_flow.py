"""The newcomer's path through the demo: sign in, book a court, see it, cancel it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_demo_member_books_a_court_sees_it_and_cancels_it(
    page: Page, demo_server: DemoServer
) -> None:
    # Given the demo member signed in, on tomorrow's grid of the demo club
    _sign_in(page, "member@demo.test", demo_server.password)
    tomorrow = dt.datetime.now(ZoneInfo("Europe/Paris")).date() + dt.timedelta(days=1)
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    expect(page.get_by_role("table")).to_be_visible()

    # When they book Court 2 at 18:00 with a partner, typing her name
    page.get_by_role("link", name="Book Court 2 at 18:00").click()
    expect(page.get_by_role("heading", name="Book a court")).to_be_visible()
    page.get_by_label("Partners").fill("Alice Martin")
    page.get_by_role("button", name="Book", exact=True).click()

    # Then "My bookings" lists it as upcoming
    expect(page).to_have_url(re.compile(r"/bookings/mine/$"))
    expect(page.get_by_role("status")).to_contain_text("Court booked")
    upcoming = page.get_by_role("table").filter(has_text="Upcoming bookings")
    row = upcoming.get_by_role("row").filter(has_text="Court 2")
    expect(row).to_contain_text("18:00")
    expect(row).to_contain_text("Alice Martin")

    # And the grid shows the slot as theirs
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    expect(page.get_by_role("link", name="Book Court 2 at 18:00")).to_have_count(0)
    expect(page.get_by_role("cell", name="Your booking").first).to_be_visible()

    # When they cancel it from "My bookings"
    page.goto("/bookings/mine/")
    row = page.get_by_role("table").filter(has_text="Upcoming bookings").get_by_role("row")
    row.filter(has_text="Court 2").get_by_role("button", name="Cancel booking").click()

    # Then it is cancelled and the slot is free again
    expect(page.get_by_role("status")).to_contain_text("Booking cancelled")
    expect(page.get_by_text("You have no upcoming bookings.")).to_be_visible()
    page.goto(f"/c/demo/day/{tomorrow.isoformat()}/")
    expect(page.get_by_role("link", name="Book Court 2 at 18:00")).to_be_visible()

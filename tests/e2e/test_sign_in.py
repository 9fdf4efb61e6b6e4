from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoServer


def test_demo_member_signs_in_and_sees_their_club(page: Page, demo_server: DemoServer) -> None:
    page.goto("/accounts/login/")

    page.locator("input[name=username]").fill("member@demo.test")
    page.locator("input[name=password]").fill(demo_server.password)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page).to_have_url(f"{demo_server.base_url}/")
    your_clubs = page.get_by_role("heading", name="Your clubs")
    expect(your_clubs).to_be_visible()
    # The club is listed under "Your clubs", not only among the clubs open to everyone.
    my_club_list = your_clubs.locator("xpath=following-sibling::ul[1]")
    expect(my_club_list.get_by_role("link", name="Fortresa Demo Tennis Club")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

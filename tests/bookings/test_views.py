from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.bookings.models import Booking
from fortresa.bookings.slots import start_param
from fortresa.clubs.models import Role
from fortresa.core.models import AuditEvent
from tests.bookings.conftest import add_booking, court_of, local_day, local_start
from tests.factories import make_club, make_membership, make_user, sign_in

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def client_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def book_url(club, start, court=None):
    query = urlencode({"court": (court or court_of(club)).pk, "start": start_param(start)})
    return f"{reverse('bookings:book', args=[club.slug])}?{query}"


def test_day_grid_offers_an_accessible_book_link(club, member_client):
    response = member_client.get(reverse("bookings:day_for", args=[club.slug, local_day(club)]))

    assert response.status_code == 200
    assert 'aria-label="Book Court 1 at 10:00"' in response.content.decode()


def test_day_grid_for_today_renders(club, member_client):
    assert member_client.get(reverse("bookings:day", args=[club.slug])).status_code == 200


def test_week_grid_renders_with_navigation(club, member_client):
    first = local_day(club)

    response = member_client.get(reverse("bookings:week_for", args=[club.slug, first]))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("bookings:week_for", args=[club.slug, first + dt.timedelta(days=7)]) in page
    assert reverse("bookings:week_for", args=[club.slug, first - dt.timedelta(days=7)]) in page


@pytest.mark.parametrize("day", ["2026-02-30", "1999-12-31", "9999-12-31", "2026-1-1"])
def test_invalid_or_far_off_dates_are_not_found(club, member_client, day):
    url = f"/c/{club.slug}/day/{day}/"

    assert member_client.get(url).status_code == 404
    assert member_client.get(f"/c/{club.slug}/week/{day}/").status_code == 404


def test_non_member_is_forbidden(club):
    response = client_for(make_user()).get(reverse("bookings:day", args=[club.slug]))

    assert response.status_code == 403


def test_unknown_club_is_not_found(member_client):
    assert member_client.get("/c/no-such-club/day/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(club):
    response = Client().get(reverse("bookings:day", args=[club.slug]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_grid_rejects_post(club, member_client):
    assert member_client.post(reverse("bookings:day", args=[club.slug])).status_code == 405


def test_members_see_booked_but_staff_see_the_booker(club, member):
    add_booking(club, member, local_start(club))
    url = reverse("bookings:day_for", args=[club.slug, local_day(club)])
    staff = make_membership(club, role=Role.STAFF).user

    member_page = client_for(make_membership(club).user).get(url).content.decode()
    staff_page = client_for(staff).get(url).content.decode()

    assert str(member) not in member_page
    assert f"Booked by {member}" in staff_page
    assert "Cancel booking" in staff_page


def test_booking_form_shows_court_start_and_book_button(club, member_client):
    response = member_client.get(book_url(club, local_start(club)))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Court 1" in page
    assert ">Book</button>" in page


@pytest.mark.parametrize(
    "query", ["", "?court=abc&start=2026-01-01T10:00", "?court=1&start=nonsense", "?court=1"]
)
def test_malformed_booking_parameters_are_a_bad_request(club, member_client, query):
    response = member_client.get(reverse("bookings:book", args=[club.slug]) + query)

    assert response.status_code == 400


def test_court_of_another_club_is_not_found_on_the_form(club, member_client):
    other = make_club()

    response = member_client.get(book_url(club, local_start(club), court=court_of(other)))

    assert response.status_code == 404


def test_posting_the_form_books_and_redirects_to_my_bookings(club, member, member_client, partner):
    start = local_start(club)
    data = {
        "court": court_of(club).pk,
        "start": start_param(start),
        "duration": 60,
        "partners": partner.email,
        "guest_names": "",
        "note": "",
    }

    response = member_client.post(book_url(club, start), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("bookings:mine")
    assert "Court booked" in response.content.decode()
    assert Booking.objects.filter(booked_by=member, starts_at=start).exists()


def test_rule_error_is_shown_on_the_form(club, member_client):
    start = local_start(club)
    data = {"court": court_of(club).pk, "start": start_param(start), "duration": 60}

    response = member_client.post(book_url(club, start), data)

    assert response.status_code == 200
    assert "Partners required" in response.content.decode()
    assert not Booking.objects.exists()


def test_tampered_hidden_fields_are_a_form_error(club, member_client):
    start = local_start(club)
    data = {"court": "999999", "start": "garbage", "duration": 60}

    response = member_client.post(book_url(club, start), data)

    assert response.status_code == 200
    assert "choose one in the grid" in response.content.decode()
    assert not Booking.objects.exists()


def test_my_bookings_lists_bookings_where_i_am_a_partner(club, member, member_client):
    other = make_membership(club).user
    add_booking(club, other, local_start(club), partners=[member])

    page = member_client.get(reverse("bookings:mine")).content.decode()

    assert str(other) in page
    assert "Cancel booking" not in page


def test_my_bookings_offers_cancel_for_my_own(club, member, member_client):
    booking = add_booking(club, member, local_start(club, days=2))

    page = member_client.get(reverse("bookings:mine")).content.decode()

    assert reverse("bookings:cancel", args=[booking.pk]) in page
    assert "Cancel booking" in page


def test_cancel_page_confirms_then_post_cancels(club, member, member_client):
    booking = add_booking(club, member, local_start(club, days=2))
    url = reverse("bookings:cancel", args=[booking.pk])

    confirm = member_client.get(url)
    response = member_client.post(url, follow=True)

    assert "Cancel booking" in confirm.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert "Booking cancelled" in response.content.decode()


def test_cancelling_another_clubs_booking_is_not_found(member_client):
    other = make_club()
    booking = add_booking(other, make_membership(other).user, local_start(other, days=2))

    assert member_client.get(reverse("bookings:cancel", args=[booking.pk])).status_code == 404
    assert member_client.post(reverse("bookings:cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACTIVE


def test_cancelling_someone_elses_booking_in_my_club_is_not_found(club, member_client):
    booking = add_booking(club, make_membership(club).user, local_start(club, days=2))

    assert member_client.post(reverse("bookings:cancel", args=[booking.pk])).status_code == 404


def test_staff_cancel_from_the_grid_returns_to_it_and_audits(club, member):
    staff = make_membership(club, role=Role.STAFF).user
    booking = add_booking(club, member, local_start(club))
    grid = reverse("bookings:day_for", args=[club.slug, local_day(club)])

    response = client_for(staff).post(reverse("bookings:cancel", args=[booking.pk]), {"next": grid})

    assert response["Location"] == grid
    assert AuditEvent.objects.filter(action="booking.cancelled_by_staff").count() == 1


def test_cancel_ignores_an_offsite_next(club, member, member_client):
    booking = add_booking(club, member, local_start(club, days=2))

    response = member_client.post(
        reverse("bookings:cancel", args=[booking.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("bookings:mine")


def test_week_cells_name_the_free_courts_day_and_time(club, member_client):
    first = local_day(club)

    page = member_client.get(reverse("bookings:week_for", args=[club.slug, first])).content.decode()

    day = first.strftime("%A %-d %B")
    assert f'2 free<span class="visually-hidden"> courts on {day} at 10:00</span>' in page


def test_calendar_page_shows_the_feed_on_the_public_site_address(member_client, member, settings):
    settings.FORTRESA_SITE_URL = "https://courts.example"

    page = member_client.get(reverse("bookings:calendar")).content.decode()

    assert "https://courts.example/calendar/" in page

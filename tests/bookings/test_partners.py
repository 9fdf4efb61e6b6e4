"""Choosing partners on the booking form: recent partners ticked, anyone else typed."""

from __future__ import annotations

import pytest

from fortresa.bookings.models import Booking
from fortresa.bookings.selectors.partners import find_partner, recent_partners
from fortresa.bookings.slots import start_param
from tests.bookings.conftest import add_booking, court_of, local_start
from tests.bookings.test_views import book_url
from tests.factories import make_club, make_membership, make_user

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _post_booking(client, club, **fields):
    start = local_start(club)
    data = {"court": court_of(club).pk, "start": start_param(start), "duration": 60, **fields}
    return client.post(book_url(club, start), data)


def test_partner_is_found_by_email_whatever_the_case(club):
    alice = make_membership(club, make_user(email="alice@example.test")).user

    assert find_partner(club, "  ALICE@example.test ").member == alice


def test_partner_is_found_by_exact_full_name(club):
    alice = make_membership(club, make_user(full_name="Alice Martin")).user

    assert find_partner(club, "alice   martin").member == alice


def test_partner_is_not_found_by_part_of_a_name(club):
    make_membership(club, make_user(full_name="Alice Martin"))

    assert find_partner(club, "Alice").member is None


def test_someone_outside_the_club_is_never_found(club):
    outsider = make_user(email="outsider@example.test", full_name="Olive Outsider")

    assert find_partner(club, outsider.email).member is None
    assert find_partner(club, outsider.full_name).member is None


def test_two_members_with_one_name_are_ambiguous(club):
    make_membership(club, make_user(full_name="Sam Lee"))
    make_membership(club, make_user(full_name="Sam Lee"))

    match = find_partner(club, "Sam Lee")

    assert (match.member, match.ambiguous) == (None, True)


def test_recent_partners_are_who_played_with_me_here_latest_first(club, member):
    old, new = make_membership(club).user, make_membership(club).user
    add_booking(club, member, local_start(club, days=1), partners=[old])
    add_booking(club, new, local_start(club, days=2), partners=[member])
    elsewhere = make_club()
    stranger = make_membership(elsewhere).user
    make_membership(elsewhere, member)
    add_booking(elsewhere, member, local_start(elsewhere), partners=[stranger])

    assert recent_partners(club, member) == [new, old]


def test_former_member_is_no_longer_a_recent_partner(club, member):
    gone = make_membership(club)
    add_booking(club, member, local_start(club), partners=[gone.user])
    gone.delete()

    assert recent_partners(club, member) == []


def test_booking_form_does_not_list_the_clubs_members(club, member_client):
    others = [make_membership(club, make_user(full_name=f"Member {n}")).user for n in range(30)]

    page = member_client.get(book_url(club, local_start(club))).content.decode()

    assert not any(other.full_name in page for other in others)
    assert '<textarea name="partners"' in page
    assert "type their email address or full name" in page


def test_booking_form_offers_recent_partners_as_checkboxes(club, member, member_client):
    partner = make_membership(club, make_user(full_name="Alice Martin")).user
    add_booking(club, member, local_start(club, days=2), partners=[partner])

    page = member_client.get(book_url(club, local_start(club))).content.decode()

    assert "People you played with recently" in page
    assert f'value="{partner.pk}"' in page
    assert "Alice Martin" in page


def test_typed_partner_name_books_with_that_member(club, member, member_client):
    alice = make_membership(club, make_user(full_name="Alice Martin")).user

    response = _post_booking(member_client, club, partners="Alice Martin")

    assert response.status_code == 302
    booking = Booking.objects.get(booked_by=member)
    assert list(booking.partners.all()) == [alice]


def test_ticked_recent_partner_books_with_that_member(club, member, member_client):
    partner = make_membership(club).user
    add_booking(club, member, local_start(club, days=2), partners=[partner])

    response = _post_booking(member_client, club, recent_partners=[partner.pk])

    assert response.status_code == 302
    booking = Booking.objects.get(booked_by=member, starts_at=local_start(club))
    assert list(booking.partners.all()) == [partner]


def test_same_partner_ticked_and_typed_counts_once(club, member, member_client):
    partner = make_membership(club).user
    add_booking(club, member, local_start(club, days=2), partners=[partner])

    response = _post_booking(
        member_client, club, recent_partners=[partner.pk], partners=partner.email
    )

    assert response.status_code == 302
    assert Booking.objects.filter(booked_by=member).count() == 2


def test_unknown_partner_is_a_field_error_and_books_nothing(club, member, member_client):
    response = _post_booking(member_client, club, partners="Nobody Here")

    assert response.status_code == 200
    page = response.content.decode()
    assert "No member of this club has the email address or name “Nobody Here”." in page
    assert 'id="id_partners_error"' in page
    assert not Booking.objects.exists()


def test_ambiguous_partner_name_asks_for_the_email(club, member_client):
    make_membership(club, make_user(full_name="Sam Lee"))
    make_membership(club, make_user(full_name="Sam Lee"))

    response = _post_booking(member_client, club, partners="Sam Lee")

    assert "Several members are called “Sam Lee”: type their email address." in (
        response.content.decode()
    )
    assert not Booking.objects.exists()


def test_partner_of_another_club_cannot_be_typed_in(club, member_client):
    stranger = make_membership(make_club()).user

    response = _post_booking(member_client, club, partners=stranger.email)

    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_recent_partner_choice_of_a_stranger_is_refused(club, member_client):
    stranger = make_membership(make_club()).user

    response = _post_booking(member_client, club, recent_partners=[stranger.pk])

    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_too_many_partner_lines_is_a_field_error(club, member_client):
    lines = "\n".join(f"someone{n}@example.test" for n in range(11))

    response = _post_booking(member_client, club, partners=lines)

    assert response.status_code == 200
    assert "Partners: at most 10 lines." in response.content.decode()
    assert not Booking.objects.exists()

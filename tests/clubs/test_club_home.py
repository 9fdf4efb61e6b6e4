from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.clubs.models import Court, Role
from tests.clubs.conftest import Scene, client_for
from tests.factories import make_club, make_user


@pytest.mark.smoke
def test_home_shows_name_contact_and_courts_to_anyone(scene: Scene) -> None:
    Court.objects.filter(pk=scene.court.pk).update(indoor=True, has_lights=True, surface="clay")

    response = Client().get(reverse("clubs:home", args=[scene.club.slug]))

    assert response.status_code == 200
    page = response.content.decode()
    assert scene.club.name in page
    assert "desk@club.test" in page
    assert scene.court.name in page
    assert "Clay" in page
    assert "Indoor" in page
    assert reverse("bookings:day", args=[scene.club.slug]) in page


def test_home_links_to_the_week_grid(scene: Scene) -> None:
    response = Client().get(reverse("clubs:home", args=[scene.club.slug]))

    assert reverse("bookings:week", args=[scene.club.slug]) in response.content.decode()


def test_home_lists_no_member(scene: Scene) -> None:
    response = Client().get(reverse("clubs:home", args=[scene.club.slug]))

    assert scene.target.user.email not in response.content.decode()
    assert scene.target.user.full_name not in response.content.decode()


def test_home_hides_courts_that_are_not_bookable(scene: Scene) -> None:
    Court.objects.filter(pk=scene.court.pk).update(is_active=False, name="Closed court")

    response = Client().get(reverse("clubs:home", args=[scene.club.slug]))

    assert "Closed court" not in response.content.decode()


@pytest.mark.smoke
def test_unknown_club_home_is_not_found(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/c/no-such-club/")

    assert response.status_code == 404


@pytest.mark.smoke
def test_join_button_shows_to_visitors_of_an_open_club(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)

    response = Client().get(reverse("clubs:home", args=[club.slug]))

    assert reverse("clubs:join", args=[club.slug]) in response.content.decode()


def test_join_button_is_hidden_from_members(scene: Scene) -> None:
    scene.club.open_signup = True
    scene.club.save()

    response = scene.client(Role.MEMBER).get(reverse("clubs:home", args=[scene.club.slug]))

    assert reverse("clubs:join", args=[scene.club.slug]) not in response.content.decode()


def test_join_button_is_hidden_when_the_club_is_by_invitation(scene: Scene) -> None:
    response = client_for(make_user()).get(reverse("clubs:home", args=[scene.club.slug]))

    assert reverse("clubs:join", args=[scene.club.slug]) not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown"),
    [(Role.ADMIN, True), (Role.STAFF, True), (Role.COACH, False), (Role.MEMBER, False)],
)
def test_manage_link_shows_to_staff_and_admins_only(scene: Scene, role: Role, shown: bool) -> None:
    response = scene.client(role).get(reverse("clubs:home", args=[scene.club.slug]))

    assert (reverse("clubs:manage", args=[scene.club.slug]) in response.content.decode()) is shown


def test_home_refuses_post(scene: Scene) -> None:
    response = Client().post(reverse("clubs:home", args=[scene.club.slug]))

    assert response.status_code == 405

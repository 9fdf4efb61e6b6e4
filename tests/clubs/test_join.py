from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.accounts.models import User
from fortresa.clubs.models import Membership, MembershipType, Role
from fortresa.core.models import AuditEvent
from tests.clubs.conftest import client_for
from tests.factories import PASSWORD, make_club, make_membership, make_user


def _sign_up(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Nadia Open",
        "email": "nadia@example.test",
        "password": PASSWORD,
        "preferred_language": "fr",
    }
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_visitor_signs_up_joins_and_is_signed_in(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    client = Client()

    response = client.post(reverse("clubs:join", args=[club.slug]), _sign_up())

    assert response.status_code == 302
    user = User.objects.get(email="nadia@example.test")
    membership = Membership.objects.get(club=club, user=user)
    assert membership.role == Role.MEMBER
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_rotates_the_session_key(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    client = Client()
    client.get(reverse("clubs:join", args=[club.slug]))
    client.session.save()
    before = client.session.session_key

    client.post(reverse("clubs:join", args=[club.slug]), _sign_up())

    assert client.session.session_key != before


def test_sign_up_gives_the_clubs_default_membership_type(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    adult = MembershipType.objects.create(club=club, name="Adult")

    Client().post(reverse("clubs:join", args=[club.slug]), _sign_up())

    assert Membership.objects.get(club=club).membership_type == adult


@pytest.mark.smoke
def test_sign_up_with_weak_password_creates_nothing(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)

    response = Client().post(reverse("clubs:join", args=[club.slug]), _sign_up(password="short"))

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="nadia@example.test").exists()


def test_sign_up_with_an_existing_email_asks_to_sign_in(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    make_user(email="nadia@example.test")

    response = Client().post(reverse("clubs:join", args=[club.slug]), _sign_up())

    assert "email" in response.context["form"].errors
    assert not Membership.objects.filter(club=club).exists()


@pytest.mark.smoke
def test_signed_in_user_joins_with_one_post(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    user = make_user()

    response = client_for(user).post(reverse("clubs:join", args=[club.slug]))

    assert response.status_code == 302
    assert Membership.objects.filter(club=club, user=user, role=Role.MEMBER).exists()
    assert AuditEvent.objects.filter(action="club.member_joined", club_id=club.pk).exists()


def test_member_joining_again_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=True)
    membership = make_membership(club, role=Role.STAFF)

    response = client_for(membership.user).post(reverse("clubs:join", args=[club.slug]))

    assert response.status_code == 302
    assert Membership.objects.get(club=club, user=membership.user).role == Role.STAFF


@pytest.mark.smoke
def test_club_without_open_sign_up_says_it_is_by_invitation(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=False)

    response = Client().get(reverse("clubs:join", args=[club.slug]))

    assert response.status_code == 403
    assert "by invitation" in response.content.decode()


@pytest.mark.smoke
def test_club_without_open_sign_up_refuses_a_sign_up_post(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=False)

    Client().post(reverse("clubs:join", args=[club.slug]), _sign_up())

    assert not User.objects.filter(email="nadia@example.test").exists()


def test_club_without_open_sign_up_refuses_a_signed_in_join(db) -> None:  # type: ignore[no-untyped-def]
    club = make_club(open_signup=False)
    user = make_user()

    client_for(user).post(reverse("clubs:join", args=[club.slug]))

    assert not Membership.objects.filter(club=club, user=user).exists()


def test_join_of_unknown_club_is_not_found(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/c/no-such-club/join/")

    assert response.status_code == 404

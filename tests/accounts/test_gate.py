import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from fortresa.accounts.models import User
from tests.accounts.support import enrol_totp, sign_in_verified
from tests.factories import PASSWORD, make_club, make_membership, make_user


@pytest.fixture
def manage_url(club):
    return f"/c/{club.slug}/manage/"


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_club_staff_without_two_factor_are_sent_to_enrol(db, club, manage_url, role):
    client = Client()
    client.force_login(make_membership(club, role=role).user)

    response = client.get(manage_url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/security/two-factor/?next=")


def test_enrolled_staff_must_prove_the_factor_in_this_session(db, club, manage_url):
    staff = make_membership(club, role="staff").user
    enrol_totp(staff)
    client = Client()
    client.force_login(staff)

    response = client.get(manage_url)

    assert response["Location"].startswith("/accounts/login/verify/?next=")


def test_verified_staff_reach_the_staff_page(db, club, manage_url):
    client = sign_in_verified(Client(), make_membership(club, role="staff").user)

    assert client.get(manage_url).status_code == 200


def test_members_pages_do_not_ask_members_for_two_factor(db, club, member_client):
    assert member_client.get("/accounts/profile/").status_code == 200
    assert member_client.get(f"/c/{club.slug}/manage/").status_code == 403


def test_staff_signing_in_without_two_factor_go_straight_to_enrolment(db, club):
    staff = make_membership(club, role="staff").user

    response = Client().post("/accounts/login/", {"username": staff.email, "password": PASSWORD})

    assert response["Location"].startswith("/accounts/security/two-factor/")


def test_operators_need_two_factor_for_the_console(db):
    operator = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)

    assert client.get("/ops/admin/")["Location"].startswith("/accounts/security/two-factor/")
    assert sign_in_verified(Client(), operator).get("/ops/admin/").status_code == 200


def test_console_refuses_sources_outside_the_allowed_networks(db, configure):
    configure(FORTRESA_OPS_ALLOWED_CIDRS="10.0.0.0/8")
    operator = make_user(is_staff=True, is_superuser=True)
    client = sign_in_verified(Client(), operator)

    outside = client.get("/ops/admin/", REMOTE_ADDR="203.0.113.9")
    inside = client.get("/ops/admin/", REMOTE_ADDR="10.1.2.3")

    assert outside.status_code == 403
    assert inside.status_code == 200


def test_console_ignores_a_forged_forwarded_for(db, configure):
    configure(FORTRESA_OPS_ALLOWED_CIDRS="10.0.0.0/8")
    client = sign_in_verified(Client(), make_user(is_staff=True, is_superuser=True))

    response = client.get("/ops/admin/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1")

    assert response.status_code == 403


def test_admin_login_page_is_replaced_by_the_guarded_one(db):
    response = Client().get("/ops/admin/login/?next=/ops/admin/")

    assert response["Location"].startswith("/accounts/login/?next=")


def test_expired_staff_password_must_be_changed_before_staff_pages(db, club, manage_url):
    staff = make_membership(club, role="staff").user
    User.objects.filter(pk=staff.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=61)
    )
    client = sign_in_verified(Client(), User.objects.get(pk=staff.pk))

    response = client.get(manage_url)

    assert response["Location"].startswith("/accounts/password/change/?next=")


def test_password_expiry_can_be_turned_off(db, club, manage_url, configure):
    configure(FORTRESA_STAFF_PASSWORD_MAX_AGE_DAYS=0)
    staff = make_membership(club, role="staff").user
    User.objects.filter(pk=staff.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )

    client = sign_in_verified(Client(), User.objects.get(pk=staff.pk))

    assert client.get(manage_url).status_code == 200


def test_members_passwords_never_expire(db, club, member):
    User.objects.filter(pk=member.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400)
    )
    client = Client()
    client.force_login(User.objects.get(pk=member.pk))

    assert client.get("/accounts/profile/").status_code == 200


def test_staff_of_one_club_get_no_staff_access_to_another(db):
    own, other = make_club(), make_club()
    client = sign_in_verified(Client(), make_membership(own, role="admin").user)

    assert client.get(f"/c/{other.slug}/manage/").status_code == 403

import datetime as dt
import json

from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone

from fortresa.accounts.models import UserSession
from fortresa.accounts.roles import privilege_fingerprint
from fortresa.accounts.session_tracking import SESSION_ROW, current_session_and_privileges
from fortresa.clubs.models import Membership
from tests.factories import PASSWORD, make_club, make_membership, make_user
from tests.hardening.test_csp_report import REPORT_URI_BODY

CSP_REPORT = json.dumps(REPORT_URI_BODY)


def sign_in(client, user, **extra):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD}, **extra)


def test_signing_in_gives_a_new_session_key(db):
    user = make_user()
    client = Client()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key

    sign_in(client, user)

    assert client.session.session_key != before


def test_session_cookie_is_host_only_secure_and_http_only(db):
    response = sign_in(Client(), make_user())

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.key.startswith("__Host-")
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_a_role_change_gives_the_session_a_new_key(db, club):
    membership = make_membership(club)
    client = Client()
    sign_in(client, membership.user)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    Membership.objects.filter(pk=membership.pk).update(role="staff")
    client.get("/accounts/profile/")

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert client.get("/accounts/profile/").status_code == 200


def test_sign_out_ends_the_session_on_the_server(db):
    user = make_user()
    client = Client()
    sign_in(client, user)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen

    assert replay.get("/accounts/profile/").status_code == 302
    assert UserSession.objects.get(user=user).ended_at is not None


def test_idle_sessions_end(db):
    user = make_user()
    client = Client()
    sign_in(client, user)
    UserSession.objects.filter(user=user).update(
        last_seen_at=timezone.now() - dt.timedelta(hours=3)
    )

    assert client.get("/accounts/profile/").status_code == 302


def test_staff_sessions_idle_out_sooner_than_members(db, club):
    staff = make_membership(club, role="staff").user
    member = make_membership(club).user
    clients = {}
    for user in (staff, member):
        clients[user.pk] = Client()
        sign_in(clients[user.pk], user)
    UserSession.objects.update(last_seen_at=timezone.now() - dt.timedelta(minutes=45))

    assert clients[staff.pk].get("/accounts/profile/").status_code == 302
    assert clients[member.pk].get("/accounts/profile/").status_code == 200


def test_sessions_end_after_the_absolute_lifetime_even_when_active(db):
    user = make_user()
    client = Client()
    sign_in(client, user)
    UserSession.objects.filter(user=user).update(created_at=timezone.now() - dt.timedelta(hours=13))

    assert client.get("/accounts/profile/").status_code == 302


def test_sessions_page_lists_device_and_address(db):
    user = make_user()
    laptop, phone = Client(), Client()
    sign_in(laptop, user, HTTP_USER_AGENT="Laptop Browser/1.0", REMOTE_ADDR="192.0.2.10")
    sign_in(phone, user, HTTP_USER_AGENT="Phone Browser/2.0", REMOTE_ADDR="192.0.2.20")

    page = laptop.get("/accounts/security/sessions/").content.decode()

    assert "Laptop Browser/1.0" in page
    assert "Phone Browser/2.0" in page
    assert "192.0.2.20" in page


def test_sign_out_everywhere_else_keeps_only_this_session(db):
    user = make_user()
    here, elsewhere = Client(), Client()
    sign_in(here, user)
    sign_in(elsewhere, user)

    here.post("/accounts/security/sessions/end-others/")

    assert here.get("/accounts/profile/").status_code == 200
    assert elsewhere.get("/accounts/profile/").status_code == 302


def test_sessions_opened_by_other_apps_are_tracked_too(db):
    user = make_user()
    client = Client()

    client.force_login(user)

    assert client.get("/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(user=user, ended_at__isnull=True).count() == 1


def test_the_session_row_and_the_privileges_are_read_in_one_query(
    db, club, django_assert_num_queries
):
    user = make_user()
    make_membership(club, user, role="admin")
    make_membership(make_club(), user, role="staff")
    make_membership(make_club(), user)  # a member's role grants no privilege
    client = Client()
    sign_in(client, user)
    request = RequestFactory().get("/accounts/profile/")
    request.user = user
    request.session = client.session
    row_id = request.session[SESSION_ROW]  # the session itself is loaded before

    with django_assert_num_queries(1):
        row, fingerprint = current_session_and_privileges(request)

    assert row is not None
    assert row.pk == row_id
    assert fingerprint == privilege_fingerprint(user)
    assert fingerprint.count(":admin") == 1
    assert fingerprint.count(":staff") == 1
    assert ":member" not in fingerprint


def test_an_ended_session_row_is_not_read_back(db):
    user = make_user()
    client = Client()
    sign_in(client, user)
    UserSession.objects.filter(user=user).update(ended_at=timezone.now())
    request = RequestFactory().get("/accounts/profile/")
    request.user = user
    request.session = client.session

    assert current_session_and_privileges(request) == (None, "")


def test_a_request_without_a_session_cookie_opens_no_session(db):
    # A CSP report (or a payment gateway's notification) comes with no cookie: the
    # middleware answers it without opening a session, so nothing marks it Vary: Cookie.
    response = Client().post("/csp-report/", CSP_REPORT, content_type="application/csp-report")

    assert response.status_code == 204
    assert "Cookie" not in response.get("Vary", "")


def test_a_signed_in_request_reads_its_session(db):
    client = Client()
    sign_in(client, make_user())

    response = client.post("/csp-report/", CSP_REPORT, content_type="application/csp-report")

    assert response.status_code == 204
    assert "Cookie" in response["Vary"]

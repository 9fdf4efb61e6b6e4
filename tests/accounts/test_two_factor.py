import time

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from fortresa.accounts.guard import LoginGuard
from fortresa.accounts.models import RecoveryCode, SecurityEvent, TotpDevice
from fortresa.accounts.session_tracking import SESSION_AUTHENTICATED_AT
from fortresa.accounts.two_factor import enable_totp, new_totp_secret, verify_second_factor
from tests.accounts.support import enrol_totp, totp_code
from tests.factories import PASSWORD, make_user


def password_step(client, user):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})


def test_enrolment_stores_the_secret_encrypted_and_ten_hashed_recovery_codes(db):
    user = make_user()
    secret = new_totp_secret()

    codes = enable_totp(user=user, secret=secret, code=pyotp.TOTP(secret).now(), ip_address=None)

    device = TotpDevice.objects.get(user=user)
    assert secret not in device.encrypted_secret
    assert len(codes) == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes)


def test_enrolment_with_a_wrong_code_stores_nothing(db):
    user = make_user()

    codes = enable_totp(user=user, secret=new_totp_secret(), code="000000", ip_address=None)

    assert codes is None
    assert not TotpDevice.objects.filter(user=user).exists()


def test_enrolment_page_shows_a_qr_code_and_turns_two_factor_on(db):
    user = make_user()
    client = Client()
    client.force_login(user)

    page = client.get("/accounts/security/two-factor/")
    secret = client.session["_fortresa_totp_setup"]
    done = client.post("/accounts/security/two-factor/", {"code": pyotp.TOTP(secret).now()})

    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert TotpDevice.objects.filter(user=user).exists()


def test_password_alone_does_not_sign_in_an_enrolled_user(db):
    user = make_user()
    enrol_totp(user)
    client = Client()

    response = password_step(client, user)

    assert response["Location"] == "/accounts/login/verify/"
    assert SESSION_KEY not in client.session


def test_password_then_code_signs_in_with_a_new_session_key(db):
    user = make_user()
    secret = enrol_totp(user)
    client = Client()
    password_step(client, user)
    pending_key = client.session.session_key

    client.post("/accounts/login/verify/", {"code": totp_code(secret, offset_steps=1)})

    assert int(client.session[SESSION_KEY]) == user.pk
    assert client.session.session_key != pending_key


def test_a_code_is_accepted_only_once(db):
    user = make_user()
    secret = enrol_totp(user)
    code = totp_code(secret, offset_steps=1)

    first = verify_second_factor(user=user, code=code, ip_address=None)
    replay = verify_second_factor(user=user, code=code, ip_address=None)

    assert (first, replay) == (True, False)


def test_wrong_codes_count_towards_the_lockout(db):
    user = make_user()
    enrol_totp(user)
    client = Client()
    password_step(client, user)

    for _ in range(5):
        client.post("/accounts/login/verify/", {"code": "123456"})

    assert LoginGuard().locked_until(user.email) is not None
    assert SESSION_KEY not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED).count() == 5


def test_recovery_code_works_once(db):
    user = make_user()
    codes = enable_totp(
        user=user,
        secret=(secret := new_totp_secret()),
        code=pyotp.TOTP(secret).now(),
        ip_address=None,
    )

    first = verify_second_factor(user=user, code=codes[0].upper(), ip_address=None)
    again = verify_second_factor(user=user, code=codes[0], ip_address=None)

    assert (first, again) == (True, False)


@pytest.mark.parametrize("code", ["", "abc", "1" * 41, "12345\x00", "９９９９９９"])
def test_malformed_codes_are_refused_without_a_server_error(db, code):
    user = make_user()
    enrol_totp(user)
    client = Client()
    password_step(client, user)

    response = client.post("/accounts/login/verify/", {"code": code})

    # A NUL is refused for the whole site with a 400 before any view; the rest by the form.
    assert response.status_code == (400 if "\x00" in code else 200)
    assert SESSION_KEY not in client.session


def test_the_second_step_expires(db, configure):
    user = make_user()
    secret = enrol_totp(user)
    client = Client()
    password_step(client, user)
    session = client.session
    session["_fortresa_pending"]["at"] = time.time() - 600
    session.save()

    response = client.post("/accounts/login/verify/", {"code": totp_code(secret, offset_steps=1)})

    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session


def test_turning_two_factor_off_needs_a_fresh_sign_in(db):
    user = make_user()
    enrol_totp(user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_AUTHENTICATED_AT] = time.time() - 3600
    session.save()

    response = client.post("/accounts/security/two-factor/remove/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert TotpDevice.objects.filter(user=user).exists()


def test_after_a_fresh_sign_in_a_member_can_turn_two_factor_off(
    db, outbox, django_capture_on_commit_callbacks
):
    user = make_user()
    secret = enrol_totp(user)
    client = Client()
    client.force_login(user)
    client.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD, "second-code": totp_code(secret, offset_steps=1)},
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/security/two-factor/remove/")

    assert not TotpDevice.objects.filter(user=user).exists()
    assert outbox[-1].to == [user.email]
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED).exists()


def test_staff_cannot_remove_their_only_second_factor(db):
    from tests.factories import make_club, make_membership

    staff = make_membership(make_club(), role="staff").user
    secret = enrol_totp(staff)
    client = Client()
    client.force_login(staff)
    client.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD, "second-code": totp_code(secret, offset_steps=1)},
    )

    client.post("/accounts/security/two-factor/remove/")

    assert TotpDevice.objects.filter(user=staff).exists()


def test_enabling_two_factor_is_emailed_and_audited(db, outbox, django_capture_on_commit_callbacks):
    from fortresa.core.models import AuditEvent

    user = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        enrol_totp(user)

    assert [m.to for m in outbox] == [[user.email], [user.email]]  # enabled, recovery codes
    assert AuditEvent.objects.filter(action="security.two_factor.enabled").exists()

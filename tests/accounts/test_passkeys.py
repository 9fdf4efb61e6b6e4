import json

from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth import SESSION_KEY
from django.test import Client

from fortresa.accounts.models import Passkey, SecurityEvent
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.support import enrol_totp
from tests.factories import PASSWORD, make_user


def register(client, authenticator, name="Laptop"):
    options = json.loads(client.post("/accounts/passkeys/register/options/").content)
    return client.post(
        "/accounts/passkeys/register/",
        {"name": name, "credential": authenticator.create(options)},
    )


def assert_with(client, authenticator, **kwargs):
    options = json.loads(client.post("/accounts/passkeys/login/options/").content)
    return client.post(
        "/accounts/passkeys/login/", {"credential": authenticator.get(options, **kwargs)}
    )


def enrolled_user():
    user = make_user()
    authenticator = SoftAuthenticator()
    client = Client()
    client.force_login(user)
    register(client, authenticator)
    return user, authenticator


def test_a_signed_in_user_adds_a_passkey(db):
    user = make_user()
    client = Client()
    client.force_login(user)

    response = register(client, SoftAuthenticator())

    assert response.json()["ok"] is True
    assert Passkey.objects.get(user=user).name == "Laptop"
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSKEY_ADDED, user=user).exists()


def test_a_passkey_signs_in_without_a_password(db):
    user, authenticator = enrolled_user()
    client = Client()

    response = assert_with(client, authenticator)

    assert response.json()["ok"] is True
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_passkey_is_the_second_factor_after_the_password(db):
    user, authenticator = enrolled_user()
    client = Client()
    step = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})

    response = assert_with(client, authenticator)

    assert step["Location"] == "/accounts/login/verify/"
    assert response.json()["ok"] is True
    assert int(client.session[SESSION_KEY]) == user.pk


def test_a_replayed_assertion_is_refused(db):
    _user, authenticator = enrolled_user()
    client = Client()
    options = json.loads(client.post("/accounts/passkeys/login/options/").content)
    answer = authenticator.get(options)
    client.post("/accounts/passkeys/login/", {"credential": answer})
    client.post("/accounts/logout/")

    replay = Client()
    replay.post("/accounts/passkeys/login/options/")
    response = replay.post("/accounts/passkeys/login/", {"credential": answer})

    assert response.status_code == 400
    assert SESSION_KEY not in replay.session


def test_an_assertion_signed_by_another_key_is_refused(db):
    _user, authenticator = enrolled_user()
    client = Client()

    response = assert_with(client, authenticator, signer=ec.generate_private_key(ec.SECP256R1()))

    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_malformed_passkey_answers_are_refused(db):
    client = Client()
    client.post("/accounts/passkeys/login/options/")

    for garbage in ("", "{", "[]", json.dumps({"rawId": "!!"}), "x" * 30000):
        assert client.post("/accounts/passkeys/login/", {"credential": garbage}).status_code == 400


def test_a_passkey_owned_by_someone_else_is_not_a_second_factor(db):
    _owner, authenticator = enrolled_user()
    victim = make_user()
    enrol_totp(victim)
    client = Client()
    client.post("/accounts/login/", {"username": victim.email, "password": PASSWORD})

    response = assert_with(client, authenticator)

    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_passkey_pages_load_their_script_with_integrity_and_nonce(db, member_client):
    for page in (Client().get("/accounts/login/"), member_client.get("/accounts/security/")):
        html = page.content.decode()
        assert 'accounts-passkeys.js" integrity="sha384-' in html
        assert "<script>" not in html

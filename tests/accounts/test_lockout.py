import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from fortresa.accounts.forms import SIGN_IN_REFUSED
from fortresa.accounts.guard import LoginGuard
from fortresa.accounts.models import SecurityEvent
from tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"
WRONG = "not the right password 1"


def attempt(client, email, password, *, ip="198.51.100.10", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def signed_in(client):
    return SESSION_KEY in client.session


@pytest.mark.smoke
def test_five_failures_lock_the_account_and_refuse_the_correct_password(db):
    user = make_user()
    client = Client()
    for _ in range(5):
        attempt(client, user.email, WRONG)

    response = attempt(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
    assert LoginGuard().locked_until(user.email) is not None


def test_four_failures_do_not_lock(db):
    user = make_user()
    client = Client()
    for _ in range(4):
        attempt(client, user.email, WRONG)

    response = attempt(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_resets_the_consecutive_count(db):
    user = make_user()
    for _ in range(4):
        attempt(Client(), user.email, WRONG)
    attempt(Client(), user.email, PASSWORD)

    for _ in range(4):
        attempt(Client(), user.email, WRONG)

    assert LoginGuard().locked_until(user.email) is None


def test_lockout_threshold_is_configurable(db, configure):
    configure(FORTRESA_LOCKOUT_THRESHOLD=2)
    user = make_user()
    client = Client()

    attempt(client, user.email, WRONG)
    attempt(client, user.email, WRONG)

    assert LoginGuard().locked_until(user.email) is not None


def test_changing_address_does_not_evade_the_account_lockout(db):
    user = make_user()
    for n in range(5):
        attempt(Client(), user.email, WRONG, ip=f"203.0.113.{n + 1}")

    attempt(client := Client(), user.email, PASSWORD, ip="192.0.2.200")

    assert not signed_in(client)


def _page_without_tokens(response, email: str) -> str:
    """The page without what differs by design: CSRF token, CSP nonce, the echoed email."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    page = re.sub(r'nonce="[^"]+"', "", page)
    return page.replace(email, "EMAIL")


def test_unknown_locked_and_wrong_password_answers_are_identical(db):
    user = make_user()
    locked = make_user()
    for _ in range(5):
        attempt(Client(), locked.email, WRONG, ip="192.0.2.1")

    wrong = attempt(Client(), user.email, WRONG, ip="192.0.2.2")
    unknown = attempt(Client(), "nobody@example.test", WRONG, ip="192.0.2.3")
    locked_out = attempt(Client(), locked.email, PASSWORD, ip="192.0.2.4")

    assert wrong.status_code == unknown.status_code == locked_out.status_code == 200
    page = _page_without_tokens(wrong, user.email)
    assert page == _page_without_tokens(unknown, "nobody@example.test")
    assert page == _page_without_tokens(locked_out, locked.email)
    assert str(SIGN_IN_REFUSED) in page
    assert sorted(wrong.cookies) == sorted(unknown.cookies) == sorted(locked_out.cookies)


def test_unknown_addresses_lock_like_real_ones(db):
    for _ in range(5):
        attempt(Client(), "ghost@example.test", WRONG)

    assert LoginGuard().locked_until("ghost@example.test") is not None


@override_settings(
    PASSWORD_HASHERS=[
        "tests.accounts.hashers.CountingMD5Hasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_every_refusal_costs_exactly_one_password_hash(db):
    from tests.accounts.hashers import CountingMD5Hasher

    user = make_user()
    locked = make_user()
    for _ in range(5):
        attempt(Client(), locked.email, WRONG, ip="192.0.2.9")
    costs = {}
    for label, email, password in (
        ("wrong password", user.email, WRONG),
        ("unknown account", "nobody@example.test", WRONG),
        ("locked account", locked.email, PASSWORD),
    ):
        CountingMD5Hasher.calls = 0
        attempt(Client(), email, password, ip="192.0.2.10")
        costs[label] = CountingMD5Hasher.calls

    assert costs == {"wrong password": 1, "unknown account": 1, "locked account": 1}


def test_no_more_than_100_attempts_per_account_per_hour_from_50_addresses(db, configure):
    # A threshold the attacker never reaches: only the hourly cap stands in the way.
    configure(FORTRESA_LOCKOUT_THRESHOLD=100000)
    user = make_user()

    for ip_index in range(50):
        for _ in range(3):
            attempt(Client(), user.email, WRONG, ip=f"203.0.113.{ip_index + 1}")

    evaluated = SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.LOGIN_FAILED
    ).count()
    refused = SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.LOGIN_THROTTLED, details__reason="account_hourly_cap"
    ).count()
    assert evaluated == 100
    assert refused == 50


def test_with_default_policy_50_addresses_get_only_five_evaluations(db):
    user = make_user()

    for ip_index in range(50):
        attempt(Client(), user.email, WRONG, ip=f"203.0.113.{ip_index + 1}")

    assert (
        SecurityEvent.objects.filter(user=user, kind=SecurityEvent.Kind.LOGIN_FAILED).count() == 5
    )


def test_one_source_failing_against_many_accounts_is_throttled(db, configure):
    configure(FORTRESA_IP_FAILURE_LIMIT=10)
    victims = [make_user() for _ in range(11)]
    for victim in victims[:10]:
        attempt(Client(), victim.email, WRONG, ip="203.0.113.66")

    attempt(client := Client(), victims[10].email, PASSWORD, ip="203.0.113.66")

    assert not signed_in(client)
    assert SecurityEvent.objects.filter(details__reason="source_throttled").count() == 1


def test_forged_forwarded_for_does_not_evade_the_source_throttle(db, configure):
    configure(FORTRESA_IP_FAILURE_LIMIT=10)
    victims = [make_user() for _ in range(11)]
    for n, victim in enumerate(victims[:10]):
        attempt(Client(), victim.email, WRONG, ip="203.0.113.66", forwarded=f"10.9.9.{n}")

    attempt(
        client := Client(),
        victims[10].email,
        PASSWORD,
        ip="203.0.113.66",
        forwarded="192.0.2.123",
    )

    assert not signed_in(client)


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(db, configure):
    configure(FORTRESA_IP_FAILURE_LIMIT=10, FORTRESA_TRUSTED_PROXY_COUNT=1)
    victims = [make_user() for _ in range(11)]
    for victim in victims[:10]:
        attempt(Client(), victim.email, WRONG, ip="10.0.0.1", forwarded="203.0.113.66")

    attempt(client := Client(), victims[10].email, PASSWORD, ip="10.0.0.1", forwarded="192.0.2.7")
    attempt(
        forged := Client(),
        victims[10].email,
        PASSWORD,
        ip="10.0.0.1",
        forwarded="192.0.2.8, 203.0.113.66",
    )

    assert signed_in(client)
    assert not signed_in(forged)


def test_failed_attempts_are_recorded_for_detection(db):
    user = make_user()

    attempt(Client(), user.email, WRONG, ip="203.0.113.5")

    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert (event.user, event.ip_address, event.details["evaluated"]) == (user, "203.0.113.5", True)
    assert WRONG not in str(event.details)

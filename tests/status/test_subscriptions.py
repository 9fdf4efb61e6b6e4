"""Email subscriptions: double opt-in with signed expiring tokens, unsubscribe deletes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client

from fortresa.status.models import Subscriber
from fortresa.status.services import subscriptions


def _link(body: str, name: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/status/{name}/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def _subscribe(client: Client, email: str, capture: Any) -> Any:
    with capture(execute=True):
        return client.post("/status/subscribe/", {"email": email})


@pytest.mark.smoke
@pytest.mark.django_db
def test_subscribing_sends_a_confirmation_link_and_confirms_nothing_yet(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = _subscribe(client, "Fan@Example.test", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["fan@example.test"]]
    assert Subscriber.objects.get().confirmed_at is None


@pytest.mark.smoke
@pytest.mark.django_db
def test_confirmation_link_shows_a_button_and_post_confirms(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _subscribe(client, "fan@example.test", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0].body, "subscribe/confirm")

    shown = client.get(link)
    assert Subscriber.objects.get().confirmed_at is None
    confirmed = client.post(link)

    assert b"Confirm my subscription" in shown.content
    assert confirmed.status_code == 200
    assert Subscriber.objects.get().confirmed_at is not None


@pytest.mark.smoke
@pytest.mark.django_db
def test_expired_confirmation_token_confirms_nothing(client: Client) -> None:
    now = dt.datetime.now(dt.UTC)
    subscriber = Subscriber.objects.create(
        email="late@example.test", language="en", created_at=now, confirmation_sent_at=now
    )
    signer = signing.TimestampSigner(salt=subscriptions.CONFIRM_SALT)
    old = dt.datetime.now() - dt.timedelta(days=3)  # noqa: DTZ005 - TimestampSigner uses time.time
    payload = signing.dumps({"id": subscriber.pk, "email": subscriber.email})
    token_signer = type(signer)(salt=subscriptions.CONFIRM_SALT)
    token_signer.timestamp = lambda: signing.b62_encode(int(old.timestamp()))  # type: ignore[method-assign]
    token = token_signer.sign(payload)

    response = client.post(f"/status/subscribe/confirm/{token}/")

    assert response.status_code == 400
    assert Subscriber.objects.get().confirmed_at is None


@pytest.mark.smoke
@pytest.mark.django_db
def test_forged_token_is_refused(client: Client) -> None:
    response = client.post("/status/subscribe/confirm/not-a-token/")

    assert response.status_code == 400


@pytest.mark.smoke
@pytest.mark.django_db
def test_subscribing_twice_sends_one_confirmation(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _subscribe(client, "fan@example.test", django_capture_on_commit_callbacks)
    again = _subscribe(client, "fan@example.test", django_capture_on_commit_callbacks)

    assert again.status_code == 200
    assert len(mail.outbox) == 1


@pytest.mark.smoke
@pytest.mark.django_db
def test_invalid_email_is_a_form_error_and_stores_nothing(client: Client) -> None:
    response = client.post("/status/subscribe/", {"email": "not an address" * 30})

    assert response.status_code == 400
    assert b'class="error"' in response.content
    assert not Subscriber.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_unsubscribe_link_deletes_the_address(client: Client) -> None:
    now = dt.datetime.now(dt.UTC)
    subscriber = Subscriber.objects.create(
        email="fan@example.test",
        language="en",
        created_at=now,
        confirmation_sent_at=now,
        confirmed_at=now,
    )
    link = f"/status/unsubscribe/{subscriptions.unsubscribe_token(subscriber)}/"

    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 200
    assert not Subscriber.objects.exists()


@pytest.mark.smoke
@pytest.mark.django_db
def test_confirmation_token_cannot_unsubscribe(client: Client) -> None:
    now = dt.datetime.now(dt.UTC)
    subscriber = Subscriber.objects.create(
        email="fan@example.test", language="en", created_at=now, confirmation_sent_at=now
    )
    token = subscriptions.confirmation_token(subscriber)

    response = client.post(f"/status/unsubscribe/{token}/")

    assert response.status_code == 400
    assert Subscriber.objects.exists()

"""Email subscriptions to incident updates, with double opt-in.

The confirmation link carries a signed token that expires; the unsubscribe link in every
message carries a signed token that does not. Neither reveals whether an address is
already subscribed: the answer to "subscribe" is always "check your inbox".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from fortresa.status.models import Subscriber

CONFIRM_SALT = "fortresa.status.subscription.confirm"
UNSUBSCRIBE_SALT = "fortresa.status.subscription.unsubscribe"
CONFIRMATION_MAX_AGE = timedelta(days=2)
# One confirmation email per address per period, however often the form is sent.
RESEND_AFTER = timedelta(minutes=10)


def confirmation_token(subscriber: Subscriber) -> str:
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def _subscriber_from(token: str, *, salt: str, max_age: timedelta | None) -> Subscriber | None:
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        return None
    return Subscriber.objects.filter(pk=payload["id"], email=str(payload.get("email"))).first()


@transaction.atomic
def subscribe_email(*, email: str, language: str, now: datetime | None = None) -> None:
    """Start (or restart) the double opt-in for ``email``; no-op when already confirmed."""
    from fortresa.status import tasks

    now = now or timezone.now()
    email = email.strip().lower()
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            email=email, language=language, created_at=now, confirmation_sent_at=now
        )
    elif subscriber.confirmed_at is not None or (
        now - subscriber.confirmation_sent_at < RESEND_AFTER
    ):
        # Already confirmed, or just asked: say nothing new (and reveal nothing).
        return
    else:
        subscriber.language = language
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["language", "confirmation_sent_at"])
    subscriber_id = subscriber.pk
    transaction.on_commit(lambda: tasks.send_subscription_confirmation.delay(subscriber_id))


def confirm_subscription(*, token: str, now: datetime | None = None) -> Subscriber | None:
    """Confirm the subscription the token names; None when it is invalid or expired."""
    subscriber = _subscriber_from(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    if subscriber is None:
        return None
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now or timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def check_unsubscribe_token(token: str) -> Subscriber | None:
    return _subscriber_from(token, salt=UNSUBSCRIBE_SALT, max_age=None)


def remove_subscription(*, token: str) -> bool:
    """Delete the subscriber the token names (nothing of it is kept); False if invalid."""
    subscriber = check_unsubscribe_token(token)
    if subscriber is None:
        return False
    subscriber.delete()
    return True


def purge_unconfirmed_subscribers(*, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - CONFIRMATION_MAX_AGE
    deleted, _ = Subscriber.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lt=cutoff
    ).delete()
    return deleted

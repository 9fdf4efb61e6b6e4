"""Limits against email bombing: same answer over and under the limit, a security event."""

from __future__ import annotations

import re
import threading

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.detection.models import Alert
from fortresa.notifications.models import MessageLog
from fortresa.notifications.services import send_email
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _page(response) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """Status and body, less what differs on every response (CSP nonce, CSRF token)."""
    body = re.sub(rb'(nonce|value)="[^"]*"', b"", response.content)
    return response.status_code, body


def test_burst_of_link_requests_gets_identical_answers_and_only_five_emails(
    smtp, django_capture_on_commit_callbacks
):
    user = make_user()
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(reverse("notifications:request_link"), {"email": user.email})
            for _ in range(12)
        ]

    assert {_page(answer) for answer in answers} == {_page(answers[0])}
    assert len(smtp.messages) == 5
    assert MessageLog.objects.filter(status=MessageLog.Status.RATE_LIMITED).count() == 7


def test_unknown_address_gets_the_same_answer_as_a_known_one(smtp):
    known = make_user()
    client = Client()

    for_known = client.post(reverse("notifications:request_link"), {"email": known.email})
    for_unknown = client.post(
        reverse("notifications:request_link"), {"email": "nobody@example.test"}
    )

    assert _page(for_known) == _page(for_unknown)
    assert for_known.status_code == 200


def test_breaching_a_limit_raises_a_security_alert(smtp):
    for _ in range(6):
        send_email(to="ana@example.test", kind="password_reset", context={})

    alert = Alert.objects.get(kind="email_rate_limit")
    assert alert.source == "email"
    assert "recipient-sensitive" in alert.subject
    assert "ana@example.test" not in str(alert.evidence)


def test_limit_holds_under_a_concurrent_burst_from_many_threads(smtp):
    from django.db import connection

    results: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            log = send_email(to="bob@example.test", kind="club_invitation", context={"days": 7})
            with lock:
                results.append(log.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(MessageLog.Status.QUEUED) == 5
    assert results.count(MessageLog.Status.RATE_LIMITED) == 15


def test_per_ip_limit_covers_different_recipients(smtp):
    statuses = [
        send_email(
            to=f"person{n}@example.test", kind="booking_partner", context={}, ip_address="192.0.2.7"
        ).status
        for n in range(32)
    ]

    assert statuses.count(MessageLog.Status.QUEUED) == 30
    assert statuses[-2:] == [MessageLog.Status.RATE_LIMITED] * 2


def test_counts_hold_in_an_on_disk_cache_with_many_entries() -> None:
    """Django's on-disk cache deletes a third of its files at random once it holds
    MAX_ENTRIES (300 by default): a count deleted mid-window would start again at 1."""
    from django.core.cache import caches
    from django.core.cache.backends.filebased import FileBasedCache

    from fortresa.notifications.ratelimits import Sender, reserve

    cache = caches["default"]
    if not isinstance(cache, FileBasedCache):
        pytest.skip("the on-disk cache's behaviour; Redis keeps keys until they expire")
    refused = []
    for n in range(12):
        # Other pages write to the cache between two messages (sessions' and pages'
        # entries): 120 of them, enough to fill 300 entries again and again.
        cache.set_many({f"other-{n}-{i}": i for i in range(120)})
        refused.append(
            reserve(kind="club_invitation", sender=Sender(recipient="carol@example.test"))
        )
    assert [rule is not None for rule in refused] == [False] * 5 + [True] * 7

"""Bounces and complaints stop mail to an address until it is confirmed again."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import re
from io import BytesIO, StringIO, TextIOWrapper

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fortresa.notifications.models import MessageLog, OptOut, Suppression
from fortresa.notifications.services import send_email
from fortresa.notifications.tokens import make_preference_token
from tests.notifications.conftest import parse, text_of

pytestmark = pytest.mark.django_db
SECRET = "a-webhook-secret-for-the-tests"  # pragma: allowlist secret


@pytest.fixture
def webhook(email_settings):  # type: ignore[no-untyped-def]
    email_settings.FORTRESA_EMAIL = dataclasses.replace(
        email_settings.FORTRESA_EMAIL, webhook_secret=SECRET
    )

    def post(event: dict[str, object], secret: str = SECRET):  # type: ignore[no-untyped-def]
        body = json.dumps(event).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return Client().post(
            reverse("notifications:feedback"),
            body,
            content_type="application/json",
            headers={"X-Fortresa-Signature": signature},
        )

    return post


def test_hard_bounce_suppresses_the_address(webhook):
    response = webhook({"id": "ev1", "type": "bounce", "address": "ana@example.test"})

    later = send_email(to="ana@example.test", kind="booking_partner", context={})

    assert response.status_code == 200
    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE
    assert later.status == MessageLog.Status.SUPPRESSED


def test_complaint_suppresses_even_security_mail(webhook):
    webhook({"id": "ev2", "type": "complaint", "address": "ana@example.test"})

    assert send_email(to="ana@example.test", kind="password_reset", context={}).status == (
        MessageLog.Status.SUPPRESSED
    )


def test_soft_bounce_does_not_suppress(webhook):
    webhook({"id": "ev3", "type": "bounce", "address": "ana@example.test", "permanent": False})

    assert not Suppression.objects.exists()


def test_a_replayed_event_is_handled_once(webhook):
    first = webhook({"id": "ev4", "type": "bounce", "address": "ana@example.test"})
    second = webhook({"id": "ev4", "type": "bounce", "address": "ana@example.test"})

    assert first.json() == {"handled": True}
    assert second.json() == {"handled": False}


def test_bad_signature_is_refused_and_changes_nothing(webhook):
    response = webhook({"id": "ev5", "type": "bounce", "address": "a@example.test"}, "wrong" * 8)

    assert response.status_code == 403
    assert not Suppression.objects.exists()


def test_webhook_fails_closed_without_a_secret(email_settings):
    response = Client().post(
        reverse("notifications:feedback"), b"{}", content_type="application/json"
    )

    assert response.status_code == 503


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"id": "x"}', b'{"id": "x", "type": "bounce", "address": "no"}']
)
def test_malformed_event_is_a_400(webhook, body):
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()

    response = Client().post(
        reverse("notifications:feedback"),
        body,
        content_type="application/json",
        headers={"X-Fortresa-Signature": signature},
    )

    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_confirming_the_address_again_resumes_mail(smtp, django_capture_on_commit_callbacks):
    Suppression.objects.create(
        address="ana@example.test", reason="hard_bounce", created_at="2026-01-01T00:00Z"
    )
    token = make_preference_token("ana@example.test")
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:request_confirmation", args=[token]))
    link = re.search(
        r"https://courts\.example\.test(/email/confirm/\S+/)",
        text_of(parse(smtp.messages[0].content)),
    )
    assert link is not None
    scanned = client.get(link.group(1))
    still_suppressed = Suppression.objects.exists()
    client.post(link.group(1))

    assert scanned.status_code == 200
    assert still_suppressed
    assert not Suppression.objects.exists()
    assert send_email(to="ana@example.test", kind="booking_partner", context={}).status == "queued"


DSN = b"""From: MAILER-DAEMON@mx.example.test
To: no-reply@mail.example.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-1@mx.example.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test

Final-Recipient: rfc822; gone@example.test
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

Message-ID: <original-1@mail.example.test>
To: gone@example.test

--B--
"""


def _inbound(raw: bytes, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", TextIOWrapper(BytesIO(raw)))
    out = StringIO()
    call_command("email", "inbound", stdout=out)
    return out.getvalue().strip()


def test_bounce_mailbox_reads_a_delivery_status_notification(email_settings, monkeypatch):
    MessageLog.objects.create(
        message_id="<original-1@mail.example.test>", kind="booking_partner",
        recipient="gone@example.test", language="en", status="sent", created_at="2026-01-01T00:00Z",
    )  # fmt: skip

    outcome = _inbound(DSN, monkeypatch)

    assert outcome == "bounce"
    assert Suppression.objects.get().address == "gone@example.test"
    assert MessageLog.objects.get().status == MessageLog.Status.BOUNCED


def test_mailto_unsubscribe_request_opts_out(email_settings, monkeypatch):
    token = make_preference_token("ana@example.test", "bookings")
    raw = (
        "From: ana@example.test\nTo: unsubscribe@mail.example.test\n"
        f"Subject: unsubscribe {token}\n\n"
    ).encode()

    outcome = _inbound(raw, monkeypatch)

    assert outcome == "unsubscribe"
    assert OptOut.objects.get().category == "bookings"

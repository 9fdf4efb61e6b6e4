"""Messages received by a real SMTP server: signatures, headers, language, safety, outage."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import dkim
import pytest

from fortresa.notifications.addresses import InvalidRecipient
from fortresa.notifications.dkim import ED25519, RSA, key_path, signing_keys
from fortresa.notifications.kinds import KINDS
from fortresa.notifications.models import MessageLog, PendingMessage
from fortresa.notifications.services import send_email
from fortresa.notifications.tasks import deliver_due_messages
from tests.factories import make_user
from tests.notifications.conftest import DOMAIN, html_of, parse, text_of

pytestmark = pytest.mark.django_db

CONTEXT = {
    "club": {"name": "Tennis Club"},
    "link": "https://courts.example.test/invite/x/",
    "days": 7,
    # The privacy area's kinds.
    "breach": {
        "reference": "BR-1",
        "title": "Leak",
        "facts": "A copy of the member list was taken.",
        "consequences": "",
        "measures": "",
        "deadline": dt.datetime(2026, 1, 4, 9, 0, tzinfo=dt.UTC),
    },
    "hours": 24,
    "hours_left": 48,
    "url": "https://courts.example.test/ops/breaches/1/",
    "controller": "Tennis Club",
    "dpo_contact": "dpo@example.test",
    "controller_contact": "",
    "undo_url": "https://courts.example.test/privacy/restore/x/y/",
    "undo_until": dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.UTC),
}


def _send(capture: Any, **kwargs: Any) -> MessageLog:
    kwargs.setdefault("context", CONTEXT)
    with capture(execute=True):
        return send_email(**kwargs)


def _dns_for(keys: list[Any]) -> Any:
    records = {
        f"{k.selector}._domainkey.{DOMAIN}.".encode(): k.public_record().encode() for k in keys
    }

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return records.get(name)

    return lookup


def test_every_message_carries_a_dkim_signature_that_verifies(
    smtp, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")

    raw = smtp.messages[0].content
    assert b"DKIM-Signature:" in raw
    assert dkim.verify(raw, dnsfunc=_dns_for(signing_keys()))


def test_ed25519_signature_is_added_beside_rsa_and_both_verify(
    smtp, email_settings, django_capture_on_commit_callbacks
):
    email_settings.FORTRESA_EMAIL = dataclasses.replace(
        email_settings.FORTRESA_EMAIL, dkim_ed25519_selector="ed1"
    )

    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")

    raw = smtp.messages[0].content
    verifier = dkim.DKIM(raw)
    lookup = _dns_for(signing_keys())
    assert raw.count(b"DKIM-Signature:") == 2
    assert verifier.verify(idx=0, dnsfunc=lookup)
    assert verifier.verify(idx=1, dnsfunc=lookup)
    algorithms = set(re.findall(rb"a=([a-z0-9-]+);", raw))
    assert algorithms == {b"rsa-sha256", b"ed25519-sha256"}


def test_keys_are_generated_with_owner_only_permissions(smtp, email_settings):
    keys = signing_keys()

    path = key_path(email_settings.FORTRESA_EMAIL.dkim_key_dir, keys[0].selector, RSA)
    assert keys[0].algorithm == RSA
    assert path.stat().st_mode & 0o777 == 0o600
    assert ED25519 not in {k.algorithm for k in keys}


def test_a_tampered_message_fails_verification(smtp, django_capture_on_commit_callbacks):
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")

    raw = smtp.messages[0].content.replace(b"Tennis Club", b"Evil Club")
    assert not dkim.verify(raw, dnsfunc=_dns_for(signing_keys()))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_both_unsubscribe_headers_and_a_body_link(
    kind, smtp, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind=kind)

    message = parse(smtp.messages[0].content)
    header = str(message["List-Unsubscribe"])
    https = re.search(r"<(https://courts\.example\.test/email/unsubscribe/[^>]+)>", header)
    assert https is not None
    assert f"<mailto:unsubscribe@{DOMAIN}?subject=unsubscribe%20" in header
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert "https://courts.example.test/email/preferences/" in text_of(message)
    assert 'href="https://courts.example.test/email/preferences/' in html_of(message)


def test_message_has_text_and_html_parts_in_the_recipients_language(
    smtp, django_capture_on_commit_callbacks
):
    french = make_user(preferred_language="fr")

    _send(django_capture_on_commit_callbacks, to=french.email, kind="booking_partner", user=french)

    message = parse(smtp.messages[0].content)
    assert message["Content-Language"] == "fr"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert '<html lang="fr">' in html_of(message)


def test_refusable_kind_says_how_to_stop_and_security_kind_says_why_it_is_sent(
    smtp, django_capture_on_commit_callbacks
):
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="password_reset")

    refusable, security = (text_of(parse(m.content)) for m in smtp.messages)
    assert "Unsubscribe from these emails" in refusable
    assert "sent even when you refuse everything else" in security


def test_log_records_the_message_without_its_body(smtp, django_capture_on_commit_callbacks):
    log = _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")

    log.refresh_from_db()
    assert log.status == MessageLog.Status.SENT
    assert log.message_id == str(parse(smtp.messages[0].content)["Message-ID"])
    assert not PendingMessage.objects.exists()
    stored = " ".join(str(v) for v in MessageLog.objects.values().get().values())
    assert "Tennis Club" not in stored


def test_line_breaks_in_names_and_subjects_cannot_add_headers(
    smtp, django_capture_on_commit_callbacks
):
    _send(
        django_capture_on_commit_callbacks,
        to="ana@example.test",
        to_name="Ana\r\nBcc: victim@example.test",
        kind="club_invitation",
        context={"club": {"name": "Club\r\nBcc: victim@example.test\nX-Evil: 1"}, "days": 7},
    )

    received = smtp.messages
    message = parse(received[0].content)
    assert len(received) == 1
    assert received[0].rcpt_tos == ["ana@example.test"]
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    assert "\n" not in str(message["Subject"])


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "a@b@example.test", "ana@example.test\r\nBcc: x@example.test",
     "ana@example.test, eve@example.test", " ana@example.test", "<ana@example.test>"],
)  # fmt: skip
def test_malformed_address_is_refused_clearly_and_nothing_is_queued(address, smtp):
    with pytest.raises(InvalidRecipient, match="is not a valid email address"):
        send_email(to=address, kind="booking_partner", context=CONTEXT)

    assert not MessageLog.objects.exists()


def test_mail_stays_queued_while_the_relay_is_down_and_goes_out_when_it_is_back(
    smtp, django_capture_on_commit_callbacks
):
    smtp.stop()

    log = _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")

    log.refresh_from_db()
    pending = PendingMessage.objects.get(log=log)
    assert log.status == MessageLog.Status.QUEUED
    assert log.attempts == 1
    assert log.last_error
    assert pending.next_attempt_at > log.created_at

    smtp.start()
    PendingMessage.objects.update(next_attempt_at=log.created_at)
    deliver_due_messages()

    log.refresh_from_db()
    assert log.status == MessageLog.Status.SENT
    assert len(smtp.messages) == 1


def test_a_retry_before_its_backoff_sends_nothing(smtp, django_capture_on_commit_callbacks):
    smtp.stop()
    _send(django_capture_on_commit_callbacks, to="ana@example.test", kind="booking_partner")
    smtp.start()

    assert deliver_due_messages() == {}
    assert smtp.messages == []

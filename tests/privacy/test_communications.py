"""Art. 34: each affected member gets an email in their language, and delivery is tracked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fortresa.notifications.models import MessageLog, Suppression
from fortresa.privacy.breaches import communicate_to_members, open_breach
from fortresa.privacy.models import Breach, MemberCommunication
from tests.factories import make_club, make_membership, make_user
from tests.privacy.conftest import Mailbox


def _high_risk_breach_of(club: Any) -> Breach:
    breach = open_breach(
        title="Leak",
        aware_at=timezone.now(),
        actor=None,
        basis={"tables": ["accounts_user"], "club_id": club.pk},
    )
    breach.high_risk = True
    breach.dpo_contact = "dpo@club.example"
    breach.save()
    return breach


@pytest.mark.django_db
def test_each_affected_member_receives_the_email_through_smtp(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    club = make_club()
    french = make_membership(club, make_user(preferred_language="fr")).user
    german = make_membership(club, make_user(preferred_language="de")).user
    outsider = make_membership(make_club()).user
    breach = _high_risk_breach_of(club)
    with django_capture_on_commit_callbacks(execute=True):
        assert communicate_to_members(breach=breach, actor=None) == 2  # type: ignore[arg-type]
    assert len(smtp_server.to(french.email)) == 1
    assert len(smtp_server.to(german.email)) == 1
    assert smtp_server.to(outsider.email) == []
    message = smtp_server.to(french.email)[0]
    assert message["DKIM-Signature"] is not None
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    assert b"dpo@club.example" in text.get_payload(decode=True)
    statuses = set(MemberCommunication.objects.values_list("status", "language", "message__status"))
    assert statuses == {("sent", "fr", "sent"), ("sent", "de", "sent")}


@pytest.mark.django_db
def test_unreachable_mail_server_leaves_the_email_queued_with_the_error(
    settings: Any, django_capture_on_commit_callbacks: Any, operator_client: Client
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    club = make_club()
    make_membership(club)
    breach = _high_risk_breach_of(club)
    with django_capture_on_commit_callbacks(execute=True):
        communicate_to_members(breach=breach, actor=None)  # type: ignore[arg-type]
    communication = MemberCommunication.objects.select_related("message").get()
    assert communication.message is not None
    assert communication.message.status == MessageLog.Status.QUEUED  # retried later
    assert "refused" in communication.message.last_error.lower()
    page = operator_client.get(f"/ops/breaches/{breach.pk}/").content.decode()
    assert f"{MemberCommunication.Status.SENT.label}: {MessageLog.Status.QUEUED.label}" in page


@pytest.mark.django_db
def test_a_bounced_address_is_recorded_as_failed_and_retried_on_the_next_round(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    club = make_club()
    member = make_membership(club).user
    Suppression.objects.create(
        address=member.email, reason=Suppression.Reason.HARD_BOUNCE, created_at=timezone.now()
    )
    breach = _high_risk_breach_of(club)
    with django_capture_on_commit_callbacks(execute=True):
        communicate_to_members(breach=breach, actor=None)  # type: ignore[arg-type]
    communication = MemberCommunication.objects.get()
    assert communication.status == MemberCommunication.Status.FAILED
    assert communication.error == MessageLog.Status.SUPPRESSED.label
    assert smtp_server.to(member.email) == []

    Suppression.objects.all().delete()  # the member confirmed the address again
    with django_capture_on_commit_callbacks(execute=True):
        assert communicate_to_members(breach=breach, actor=None) == 1  # type: ignore[arg-type]
    assert len(smtp_server.to(member.email)) == 1
    assert MemberCommunication.objects.get().status == MemberCommunication.Status.SENT


@pytest.mark.django_db
def test_communicating_twice_writes_to_each_member_once(
    smtp_server: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    club = make_club()
    member = make_membership(club).user
    breach = _high_risk_breach_of(club)
    with django_capture_on_commit_callbacks(execute=True):
        communicate_to_members(breach=breach, actor=None)  # type: ignore[arg-type]
        communicate_to_members(breach=breach, actor=None)  # type: ignore[arg-type]
    assert len(smtp_server.to(member.email)) == 1


@pytest.mark.django_db
def test_low_risk_breach_is_not_communicated(operator_client: Client) -> None:
    club = make_club()
    make_membership(club)
    breach = _high_risk_breach_of(club)
    breach.high_risk = False
    breach.save()
    response = operator_client.post(f"/ops/breaches/{breach.pk}/communicate/")
    assert response.status_code == 400
    assert not MemberCommunication.objects.exists()

"""Art. 34: each affected member gets an email in their language, and delivery is tracked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

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
    body = smtp_server.to(french.email)[0].get_payload(decode=True)
    assert b"dpo@club.example" in body
    statuses = set(MemberCommunication.objects.values_list("status", "language"))
    assert statuses == {("sent", "fr"), ("sent", "de")}


@pytest.mark.django_db
def test_failed_delivery_is_recorded(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    club = make_club()
    make_membership(club)
    with django_capture_on_commit_callbacks(execute=True):
        communicate_to_members(breach=_high_risk_breach_of(club), actor=None)  # type: ignore[arg-type]
    communication = MemberCommunication.objects.get()
    assert communication.status == MemberCommunication.Status.FAILED
    assert communication.error


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

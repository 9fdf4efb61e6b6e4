"""Club mailings go only to members who agreed, through the same pipeline and headers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.clubs.models import Role
from fortresa.notifications.mailings import send_club_mailing, set_mailing_consent
from fortresa.notifications.models import ClubMailing
from tests.factories import make_club, make_membership
from tests.notifications.conftest import parse

pytestmark = pytest.mark.django_db


def test_mailing_reaches_only_consenting_members_with_unsubscribe_headers(
    smtp, django_capture_on_commit_callbacks
):
    club = make_club()
    agreed = make_membership(club).user
    make_membership(club)
    staff = make_membership(club, role=Role.STAFF).user
    set_mailing_consent(user=agreed, club=club, consent=True)

    with django_capture_on_commit_callbacks(execute=True):
        send_club_mailing(
            club=club,
            subject="Summer\r\nBcc: all@example.test tournament",
            body="Sign up now.",
            actor=staff,
        )

    message = parse(smtp.messages[0].content)
    assert [m.rcpt_tos for m in smtp.messages] == [[agreed.email]]
    assert message["Bcc"] is None
    assert "Summer Bcc: all@example.test tournament" in str(message["Subject"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ClubMailing.objects.get().recipients == 1


def test_members_cannot_send_club_mailings(email_settings):
    club = make_club()
    client = Client()
    client.force_login(make_membership(club).user)

    response = client.post(
        reverse("notifications:club_mailings", args=[club.slug]), {"subject": "x", "body": "y"}
    )

    assert response.status_code == 403
    assert not ClubMailing.objects.exists()


def test_only_members_can_agree_to_a_clubs_news(email_settings):
    club = make_club()
    outsider = make_membership(make_club()).user

    with pytest.raises(ValueError, match="only members"):
        set_mailing_consent(user=outsider, club=club, consent=True)

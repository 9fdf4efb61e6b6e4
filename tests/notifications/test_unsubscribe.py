"""One-click unsubscribe (RFC 8058) and the preference page without sign-in."""

from __future__ import annotations

import dataclasses
import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from fortresa.notifications.mailings import set_mailing_consent
from fortresa.notifications.models import MailingConsent, MessageLog, OptOut
from fortresa.notifications.services import send_email
from fortresa.notifications.tokens import make_preference_token
from tests.factories import make_club, make_membership
from tests.notifications.conftest import parse

pytestmark = pytest.mark.django_db


def _one_click_url(raw: bytes) -> str:
    header = str(parse(raw)["List-Unsubscribe"])
    match = re.search(r"<https://courts\.example\.test(/email/unsubscribe/[^>]+)>", header)
    assert match is not None
    return match.group(1)


def test_one_click_post_from_the_header_unsubscribes_and_later_mail_is_not_sent(
    smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_email(to="ana@example.test", kind="booking_partner", context={})
    url = _one_click_url(smtp.messages[0].content)

    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    with django_capture_on_commit_callbacks(execute=True):
        later = send_email(to="ana@example.test", kind="booking_cancelled", context={})

    assert response.status_code == 200
    assert OptOut.objects.filter(address="ana@example.test", category="bookings").exists()
    assert later.status == MessageLog.Status.OPTED_OUT
    assert len(smtp.messages) == 1


def test_following_the_link_with_get_changes_nothing(email_settings):
    token = make_preference_token("ana@example.test", "bookings")

    response = Client().get(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 302
    assert not OptOut.objects.exists()


def test_one_click_on_a_security_email_refuses_every_optional_category_but_not_security(
    email_settings,
):
    token = make_preference_token("ana@example.test", "all")

    Client().post(reverse("notifications:unsubscribe", args=[token]))
    log = send_email(to="ana@example.test", kind="password_reset", context={})

    assert OptOut.objects.get().category == "all"
    assert (
        send_email(to="ana@example.test", kind="booking_partner", context={}).status == "opted_out"
    )
    assert log.status == MessageLog.Status.QUEUED


def test_one_click_on_club_news_stops_only_that_clubs_news(email_settings):
    first, second = make_club(), make_club()
    member = make_membership(first).user
    make_membership(second, member)
    for club in (first, second):
        set_mailing_consent(user=member, club=club, consent=True)
    token = make_preference_token(member.email, "club_news", first.pk)

    Client().post(reverse("notifications:unsubscribe", args=[token]))

    assert list(MailingConsent.objects.values_list("club_id", flat=True)) == [second.pk]


@pytest.mark.parametrize("token", ["forged", "eyJhIjoiYW5hQGV4YW1wbGUudGVzdCJ9:1abc:xyz", "%00"])
def test_forged_or_malformed_tokens_get_a_clear_400_and_change_nothing(token, email_settings):
    response = Client().post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()
    assert not OptOut.objects.exists()


class _TwoDaysAgo(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time()) - 2 * 86400)


def test_expired_token_is_refused(email_settings):
    email_settings.FORTRESA_EMAIL = dataclasses.replace(
        email_settings.FORTRESA_EMAIL, token_max_age_days=1
    )
    expired = _TwoDaysAgo(salt="fortresa.notifications.preferences").sign_object(
        {"a": "ana@example.test", "c": "bookings"}, compress=True
    )

    response = Client().post(reverse("notifications:unsubscribe", args=[expired]))

    assert response.status_code == 400
    assert not OptOut.objects.exists()


def test_preference_page_needs_no_sign_in_and_saves_choices(email_settings):
    token = make_preference_token("ana@example.test")
    url = reverse("notifications:preferences", args=[token])

    page = Client().get(url)
    response = Client().post(url, {"category_invitations": "on", "category_status": "on"})

    assert page.status_code == 200
    assert "Keep sending me" in page.content.decode()
    assert response.status_code == 302
    assert set(OptOut.objects.values_list("category", flat=True)) == {"bookings"}


def test_preference_page_lets_a_member_agree_to_club_news(email_settings):
    membership = make_membership(make_club())
    token = make_preference_token(membership.user.email)

    Client().post(
        reverse("notifications:preferences", args=[token]),
        {f"club_{membership.club_id}": "on", "category_bookings": "on"},
    )

    assert MailingConsent.objects.filter(user=membership.user, club=membership.club).exists()

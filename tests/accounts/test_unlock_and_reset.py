import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from fortresa.accounts.guard import LoginGuard
from fortresa.accounts.models import SecurityEvent
from tests.accounts.support import sign_in_verified
from tests.factories import PASSWORD, make_club, make_membership, make_user

WRONG = "not the right password 1"
NEW_PASSWORD = "a brand new pass phrase 77"  # pragma: allowlist secret


def lock(user):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": user.email, "password": WRONG})


def links(message) -> list[str]:
    return re.findall(r"https://\S+", message.body)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_locked_user_is_emailed_an_unlock_link(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        lock(user)

    assert len(outbox) == 1
    assert outbox[0].to == [user.email]
    assert any("/accounts/unlock/" in link for link in links(outbox[0]))
    assert PASSWORD not in outbox[0].body


def test_unlock_link_unlocks_once(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        lock(user)
    unlock = path_of(next(link for link in links(outbox[0]) if "/unlock/" in link))

    first = Client().post(unlock)
    second = Client().post(unlock)

    assert first.status_code == 302
    assert second.status_code == 400
    assert LoginGuard().locked_until(user.email) is None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCOUNT_UNLOCKED).count() == 1


def test_opening_the_unlock_link_does_not_unlock(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        lock(user)
    unlock = path_of(next(link for link in links(outbox[0]) if "/unlock/" in link))

    response = Client().get(unlock)

    assert response.status_code == 200
    assert LoginGuard().locked_until(user.email) is not None


@pytest.mark.parametrize("token", ["garbage", "a" * 400, "eyJ1IjoxfQ:1abc:forged"])
def test_malformed_unlock_tokens_change_nothing(db, token):
    user = make_user()
    lock(user)

    response = Client().post(f"/accounts/unlock/{token}/")

    assert response.status_code == 400
    assert LoginGuard().locked_until(user.email) is not None


def test_locked_user_can_reset_the_password_and_sign_in(
    db, outbox, django_capture_on_commit_callbacks
):
    user = make_user()
    lock(user)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": user.email})
    reset = path_of(links(outbox[-1])[0])
    client = Client()

    set_form = client.get(reset, follow=True)
    client.post(
        set_form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.post("/accounts/login/", {"username": user.email, "password": NEW_PASSWORD})

    assert SESSION_KEY in client.session
    assert NEW_PASSWORD not in outbox[-1].body


def test_reset_link_is_single_use(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": user.email})
    reset = path_of(links(outbox[-1])[0])
    client = Client()
    form_url = client.get(reset, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(reset, follow=True)

    assert again.context["validlink"] is False


def test_reset_link_expires_after_an_hour(db, outbox, django_capture_on_commit_callbacks):
    import datetime as dt

    from fortresa.accounts.conf import login_policy
    from fortresa.accounts.tokens import PasswordResetTokens

    user = make_user()
    tokens = PasswordResetTokens(login_policy().reset_link_lifetime)
    token = tokens._make_token_with_timestamp(
        user, tokens._num_seconds(tokens._now() - dt.timedelta(hours=2)), tokens.secret
    )

    assert tokens.check_token(user, token) is False
    assert tokens.check_token(user, tokens.make_token(user)) is True


def test_reset_request_answers_the_same_for_unknown_addresses(db, outbox):
    known = make_user()

    for_known = Client().post("/accounts/password/reset/", {"email": known.email})
    for_unknown = Client().post("/accounts/password/reset/", {"email": "ghost@example.test"})

    assert for_known.status_code == for_unknown.status_code == 302
    assert for_known["Location"] == for_unknown["Location"]


def test_reset_emails_are_rate_limited_per_address(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            Client().post("/accounts/password/reset/", {"email": user.email})

    assert len(outbox) == 3


def test_reset_ends_every_other_session(db, outbox, django_capture_on_commit_callbacks):
    user = make_user()
    elsewhere = Client()
    elsewhere.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": user.email})
    reset = path_of(links(outbox[-1])[0])
    client = Client()
    form_url = client.get(reset, follow=True).redirect_chain[-1][0]

    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert elsewhere.get("/accounts/profile/").status_code == 302


def test_club_staff_unlock_a_member_of_their_club(db):
    club = make_club()
    staff = make_membership(club, role="staff").user
    member = make_membership(club).user
    lock(member)
    client = sign_in_verified(Client(), staff)

    response = client.post(f"/accounts/staff/{club.slug}/members/{member.pk}/unlock/")

    assert response.status_code == 302
    assert LoginGuard().locked_until(member.email) is None
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ACCOUNT_UNLOCKED)
    assert (event.user, event.actor, event.details["via"]) == (member, staff, "staff")


def test_staff_of_another_club_cannot_unlock(db):
    club, other = make_club(), make_club()
    staff = make_membership(other, role="staff").user
    member = make_membership(club).user
    lock(member)
    client = sign_in_verified(Client(), staff)

    for slug in (club.slug, other.slug):
        response = client.post(f"/accounts/staff/{slug}/members/{member.pk}/unlock/")
        assert response.status_code == 404
    assert LoginGuard().locked_until(member.email) is not None


def test_members_cannot_unlock_each_other(db):
    club = make_club()
    member, locked = make_membership(club).user, make_membership(club).user
    lock(locked)
    client = Client()
    client.force_login(member)

    response = client.post(f"/accounts/staff/{club.slug}/members/{locked.pk}/unlock/")

    assert response.status_code == 404
    assert LoginGuard().locked_until(locked.email) is not None

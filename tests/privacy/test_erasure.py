"""Erasing an account leaves no personal data and keeps the accounting rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.db.models.functions import Cast
from django.test import Client

from fortresa.accounts.models import User, UserSession
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Membership
from fortresa.core.audit import verify_chain
from fortresa.payments.models import Payment
from fortresa.privacy.erasure import AlreadyErased, erase_account
from fortresa.privacy.models import Erasure
from fortresa.privacy.restore import ErasureNotUndoable, undo_erasure
from tests.factories import PASSWORD, make_user
from tests.privacy.conftest import EMAIL, NAME, PHONE, RichMember


def _rows_mentioning(needle: str) -> list[str]:
    """Every row of every table with a text column containing ``needle``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            rows = model._default_manager.annotate(_text=Cast(field.name, models.TextField()))
            for pk in rows.filter(_text__icontains=needle).values_list("pk", flat=True):
                found.append(f"{model._meta.label}#{pk}.{field.name}")
    return found


def test_no_email_name_or_phone_remains_anywhere_after_erasure(rich_member: RichMember) -> None:
    erase_account(user=rich_member.user, actor=rich_member.user)
    leftovers = {needle: _rows_mentioning(needle) for needle in (EMAIL, NAME, PHONE)}
    assert leftovers == {EMAIL: [], NAME: [], PHONE: []}


def test_bookings_and_payments_stay_under_the_pseudonym(rich_member: RichMember) -> None:
    erasure, _key = erase_account(user=rich_member.user, actor=rich_member.user)
    booking = Booking.objects.get(pk=rich_member.booking.pk)
    payment = Payment.objects.get(pk=rich_member.payment.pk)
    assert booking.booked_by.full_name == erasure.pseudonym
    assert payment.payer_id == rich_member.user.pk
    assert booking.note == ""
    assert booking.guest_names == []


def test_partner_keeps_their_own_booking_note(rich_member: RichMember) -> None:
    erase_account(user=rich_member.user, actor=rich_member.user)
    assert Booking.objects.get(pk=rich_member.partner_booking.pk).note == "Partner's own note"


def test_erasure_ends_every_session_and_blocks_sign_in(rich_member: RichMember) -> None:
    client = Client()
    client.force_login(rich_member.user)
    erase_account(user=rich_member.user, actor=rich_member.user)
    user = User.objects.get(pk=rich_member.user.pk)
    assert not UserSession.objects.filter(user=user).exists()
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(user.pk) for s in Session.objects.all()
    )
    assert not user.is_active
    assert not user.has_usable_password()
    assert client.get("/privacy/").status_code == 302


def test_erasure_revokes_the_calendar_feed(rich_member: RichMember) -> None:
    version = rich_member.user.calendar_feed_version
    erase_account(user=rich_member.user, actor=rich_member.user)
    user = User.objects.get(pk=rich_member.user.pk)
    assert (user.calendar_feed_version, user.calendar_feed_enabled) == (version + 1, False)


def test_audit_chain_still_verifies_after_erasure(rich_member: RichMember) -> None:
    erase_account(user=rich_member.user, actor=rich_member.user)
    assert verify_chain().intact


def test_confirmation_email_carries_the_undo_link(
    rich_member: RichMember, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        erasure, key = erase_account(user=rich_member.user, actor=rich_member.user)
    sent = [m for m in mail.outbox if m.to == [EMAIL]]
    assert len(sent) == 1
    assert f"/privacy/restore/{erasure.pseudonym}/{key}/" in sent[0].body


def test_sealed_copy_is_unreadable_without_the_mailed_key(rich_member: RichMember) -> None:
    erasure, _key = erase_account(user=rich_member.user, actor=rich_member.user)
    sealed = bytes(Erasure.objects.get(pk=erasure.pk).sealed_snapshot or b"")
    assert EMAIL.encode() not in sealed
    with pytest.raises(ErasureNotUndoable):
        undo_erasure(pseudonym=erasure.pseudonym, key="A" * 43, ip_address=None)


def test_undo_within_grace_restores_account_membership_and_note(rich_member: RichMember) -> None:
    erasure, key = erase_account(user=rich_member.user, actor=rich_member.user)
    user = undo_erasure(pseudonym=erasure.pseudonym, key=key, ip_address=None)
    assert (user.email, user.full_name, user.phone, user.is_active) == (EMAIL, NAME, PHONE, True)
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user, club=rich_member.club).exists()
    assert Booking.objects.get(pk=rich_member.booking.pk).note == rich_member.booking.note
    assert not Erasure.objects.filter(user=user).exists()


def test_undo_refused_when_the_address_was_taken_meanwhile(rich_member: RichMember) -> None:
    erasure, key = erase_account(user=rich_member.user, actor=rich_member.user)
    make_user(email=EMAIL)
    with pytest.raises(ErasureNotUndoable):
        undo_erasure(pseudonym=erasure.pseudonym, key=key, ip_address=None)


def test_erasing_twice_is_refused(rich_member: RichMember) -> None:
    erase_account(user=rich_member.user, actor=rich_member.user)
    with pytest.raises(AlreadyErased):
        erase_account(user=User.objects.get(pk=rich_member.user.pk), actor=None)


def test_erase_page_requires_the_password(rich_member: RichMember) -> None:
    client = Client()
    client.force_login(rich_member.user)
    response = client.post("/privacy/erase/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert User.objects.get(pk=rich_member.user.pk).email == EMAIL


def test_erase_page_erases_and_signs_out(rich_member: RichMember) -> None:
    client = Client()
    client.force_login(rich_member.user)
    response = client.post("/privacy/erase/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/erased/"
    assert User.objects.get(pk=rich_member.user.pk).email.endswith("@erased.invalid")
    assert client.get("/privacy/").status_code == 302


def test_undo_page_brings_the_account_back(rich_member: RichMember) -> None:
    erasure, key = erase_account(user=rich_member.user, actor=rich_member.user)
    client = Client()
    assert client.get(f"/privacy/restore/{erasure.pseudonym}/{key}/").status_code == 200
    response = client.post(f"/privacy/restore/{erasure.pseudonym}/{key}/")
    assert response.status_code == 302
    assert User.objects.get(pk=rich_member.user.pk).email == EMAIL


@pytest.mark.django_db
def test_unknown_undo_link_is_404(client: Any) -> None:
    assert client.get("/privacy/restore/erased-000000000000/abc/").status_code == 404

"""Undoing an erasure during its grace period, and forgetting the seal afterwards."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Membership, MembershipType
from fortresa.core.audit import record_event
from fortresa.privacy.models import Consent, Erasure
from fortresa.privacy.sealing import SealBroken, open_snapshot


class ErasureNotUndoable(Exception):
    """The link is wrong or expired, or the address now belongs to another account."""


def undoable_erasure(pseudonym: str) -> Erasure | None:
    """The erasure behind an undo link, if it can still be undone."""
    return Erasure.objects.filter(
        pseudonym=pseudonym, undo_until__gt=timezone.now(), sealed_snapshot__isnull=False
    ).first()


def undo_erasure(*, pseudonym: str, key: str, ip_address: str | None) -> User:
    """Restore the account, its memberships, notes and consents from the sealed copy.

    Two-factor devices, passkeys, sessions and the audit log's redactions stay as the
    erasure left them: the member signs in with their password and enrols again.
    """
    with transaction.atomic():
        erasure = (
            Erasure.objects.select_for_update()
            .filter(pseudonym=pseudonym, undo_until__gt=timezone.now())
            .first()
        )
        if erasure is None or erasure.sealed_snapshot is None:
            raise ErasureNotUndoable("expired")
        try:
            snapshot = open_snapshot(
                key_text=key,
                sealed=bytes(erasure.sealed_snapshot),
                key_hash=erasure.key_hash,
                pseudonym=pseudonym,
            )
        except SealBroken:
            raise ErasureNotUndoable("wrong link") from None
        fields = snapshot["user"]
        user = User.objects.select_for_update().get(pk=erasure.user_id)
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists():
            raise ErasureNotUndoable("address taken")
        for name, value in fields.items():
            setattr(user, name, value)
        user.is_active = True
        user.save()
        for item in snapshot["memberships"]:
            club = Club.objects.filter(pk=item["club_id"]).first()
            if club is None:
                continue
            Membership.objects.get_or_create(
                user=user,
                club=club,
                defaults={
                    "role": item["role"],
                    "membership_type": MembershipType.objects.filter(
                        pk=item["membership_type_id"], club=club
                    ).first(),
                    "joined_at": dt.datetime.fromisoformat(item["joined_at"]),
                },
            )
        for item in snapshot["bookings"]:
            Booking.objects.filter(pk=item["id"], booked_by=user).update(
                note=item["note"], guest_names=item["guest_names"]
            )
        Consent.objects.bulk_create(
            Consent(
                user=user,
                purpose=item["purpose"],
                granted=item["granted"],
                recorded_at=dt.datetime.fromisoformat(item["recorded_at"]),
            )
            for item in snapshot["consents"]
        )
        erasure.delete()
        record_event(
            action="privacy.erasure_undone",
            actor=user,
            target=f"user:{user.pk}",
            ip_address=ip_address,
            details={"pseudonym": pseudonym},
        )
    return user


def forget_expired_seals(*, now: dt.datetime | None = None) -> int:
    """After the grace period the sealed copy is deleted: the erasure becomes final."""
    return Erasure.objects.filter(
        undo_until__lte=now or timezone.now(), sealed_snapshot__isnull=False
    ).update(sealed_snapshot=None, key_hash="")

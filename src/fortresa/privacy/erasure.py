"""Erasing an account (Art. 17): at once, undoable for a grace period.

Personal data is deleted or replaced by a pseudonym in the same transaction; bookings
and payments stay for the club's accounts, attached to the pseudonymous account row.
What an undo would need is sealed with a fresh key that only the confirmation email
carries (see ``privacy.sealing``), so even during the grace period the platform cannot
read what it erased.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Field
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Membership
from fortresa.core.audit import record_event
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.models import Consent, Erasure
from fortresa.privacy.registry import Erase, installed_entries, rows_of
from fortresa.privacy.scrub import needles_for, redact_audit_log, scrub_database
from fortresa.privacy.sealing import seal_snapshot


class AlreadyErased(Exception):
    """The account was erased before."""


def _end_every_session(user: User) -> None:
    """Delete the user's server-side sessions (their rows and Django's)."""
    for session in Session.objects.iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def _snapshot(user: User) -> dict[str, Any]:
    """What an undo restores: the account, its memberships, the notes it wrote, its consents."""
    return {
        "user": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "password": user.password,
            "share_contact_details": user.share_contact_details,
            "calendar_feed_enabled": user.calendar_feed_enabled,
        },
        "memberships": [
            {
                "club_id": m.club_id,
                "membership_type_id": m.membership_type_id,
                "role": m.role,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in Membership.objects.filter(user=user)
        ],
        "bookings": [
            {"id": pk, "note": note, "guest_names": guests}
            for pk, note, guests in user.bookings.values_list("pk", "note", "guest_names")
        ],
        "consents": [
            {"purpose": c.purpose, "granted": c.granted, "recorded_at": c.recorded_at.isoformat()}
            for c in Consent.objects.filter(user=user)
        ],
    }


def _apply_registry(user: User) -> None:
    for entry, model in installed_entries():
        rows = rows_of(entry, model, user)
        if entry.erase == Erase.DELETE:
            if model is Membership and apps.is_installed("fortresa.payments"):
                # A membership whose fees were paid is an accounting record.
                rows = rows.filter(fees_paid__isnull=True)
            model._default_manager.filter(pk__in=list(rows.values_list("pk", flat=True))).delete()
        elif entry.erase == Erase.KEEP and entry.clear:
            written = model._default_manager.filter(**{entry.author: user.pk})
            for name in entry.clear:
                field = model._meta.get_field(name)
                empty = (
                    field.get_default() if isinstance(field, Field) and field.has_default() else ""
                )
                written.update(**{name: empty})


def _anonymise(user: User, pseudonym: str) -> None:
    user.email = f"{pseudonym}@erased.invalid"
    user.full_name = pseudonym
    user.phone = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.share_contact_details = False
    user.calendar_feed_enabled = False
    # A new version revokes the calendar feed URL; an unusable password voids reset links.
    user.calendar_feed_version += 1
    user.set_unusable_password()
    user.save()


def erase_account(
    *, user: User, actor: User | None, grace: bool = True, reason: str = "member_request"
) -> tuple[Erasure, str]:
    """Erase ``user`` now. Returns the erasure and the undo key ('' without grace).

    The member is told by email (in their language) once the transaction commits; the
    email carries the undo link when there is a grace period.
    """
    from fortresa.privacy.tasks import send_erasure_confirmation

    now = timezone.now()
    config = privacy_settings()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if Erasure.objects.filter(user=user).exists():
            raise AlreadyErased(user.pk)
        pseudonym = f"erased-{secrets.token_hex(6)}"
        needles = needles_for(
            email=user.email, full_name=user.full_name, phone=user.phone, pseudonym=pseudonym
        )
        address, language = user.email, user.preferred_language
        undo_until: dt.datetime | None = None
        key, sealed = "", None
        if grace and config.erasure_grace_days > 0:
            undo_until = now + dt.timedelta(days=config.erasure_grace_days)
            key, sealed = seal_snapshot(_snapshot(user), pseudonym=pseudonym)
        _end_every_session(user)
        _apply_registry(user)
        _anonymise(user, pseudonym)
        scrub_database(needles, skip=[Erasure])
        erasure = Erasure.objects.create(
            user=user,
            pseudonym=pseudonym,
            erased_at=now,
            undo_until=undo_until,
            key_hash=sealed.key_hash if sealed else "",
            sealed_snapshot=sealed.blob if sealed else None,
            reason=reason,
        )
        undo = key
        transaction.on_commit(
            lambda: send_erasure_confirmation.delay(
                address=address,
                language=language,
                pseudonym=pseudonym,
                undo_key=undo,
                undo_until=undo_until.isoformat() if undo_until else "",
            )
        )
    redact_audit_log(user_id=user.pk, needles=needles, pseudonym=pseudonym)
    # Written by the system on purpose: an actor would put the erased address back.
    record_event(
        action="privacy.account_erased",
        actor=None if actor is None or actor.pk == user.pk else actor,
        target=f"user:{user.pk}",
        details={
            "pseudonym": pseudonym,
            "reason": reason,
            "undo_until": undo_until.isoformat() if undo_until else None,
        },
    )
    return erasure, key

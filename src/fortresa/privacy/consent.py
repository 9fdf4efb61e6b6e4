"""Consents a member gives and withdraws from their privacy page (Art. 7).

``has_consented`` is what other areas ask before a non-essential email or before showing
contact details; contact sharing is also mirrored on the account (``share_contact_details``)
which the clubs' member lists already read.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.accounts.services import update_profile
from fortresa.core.audit import record_event
from fortresa.privacy.models import Consent

Purpose = Consent.Purpose


def has_consented(user: User, purpose: str) -> bool:
    """The member's current answer: the latest record, no record meaning no."""
    if purpose == Purpose.CONTACT_SHARING:
        return bool(user.share_contact_details)
    latest = (
        Consent.objects.filter(user=user, purpose=purpose).order_by("-recorded_at", "-id").first()
    )
    return bool(latest and latest.granted)


def current_consents(user: User) -> dict[str, bool]:
    return {purpose: has_consented(user, purpose) for purpose in Purpose.values}


def record_consents(
    *, user: User, answers: dict[str, bool], actor: User, ip_address: str | None = None
) -> list[str]:
    """Record the answers that changed; returns the purposes changed."""
    current = current_consents(user)
    changed = [p for p, granted in answers.items() if p in current and current[p] != granted]
    if not changed:
        return []
    now = timezone.now()
    with transaction.atomic():
        Consent.objects.bulk_create(
            Consent(user=user, purpose=p, granted=answers[p], recorded_at=now) for p in changed
        )
        if Purpose.CONTACT_SHARING in changed:
            update_profile(
                user=user,
                full_name=user.full_name,
                phone=user.phone,
                preferred_language=user.preferred_language,
                actor=actor,
                share_contact_details=answers[Purpose.CONTACT_SHARING],
            )
        record_event(
            action="privacy.consent_changed",
            actor=actor,
            target=f"user:{user.pk}",
            ip_address=ip_address,
            details={p: answers[p] for p in changed},
        )
    return changed

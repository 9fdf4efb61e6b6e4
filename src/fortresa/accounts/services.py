"""State changes of accounts."""

from __future__ import annotations

from django.db import transaction

from fortresa.accounts.models import User
from fortresa.core.audit import record_event


def create_account(
    *,
    email: str,
    full_name: str,
    password: str,
    preferred_language: str = "en",
    ip_address: str | None = None,
) -> User:
    """Create a member account; the caller has validated the password."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            preferred_language=preferred_language,
        )
        record_event(
            action="account.created", actor=user, target=f"user:{user.pk}", ip_address=ip_address
        )
    return user


def update_profile(
    *, user: User, full_name: str, phone: str, preferred_language: str, actor: User
) -> User:
    with transaction.atomic():
        changed = [
            name
            for name, value in (
                ("full_name", full_name),
                ("phone", phone),
                ("preferred_language", preferred_language),
            )
            if getattr(user, name) != value
        ]
        user.full_name, user.phone, user.preferred_language = full_name, phone, preferred_language
        user.save(update_fields=["full_name", "phone", "preferred_language"])
        if changed:
            record_event(
                action="account.profile_changed",
                actor=actor,
                target=f"user:{user.pk}",
                details={"fields": changed},
            )
    return user

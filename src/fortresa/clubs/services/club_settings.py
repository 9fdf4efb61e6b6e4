"""A club's own settings and its membership types."""

from __future__ import annotations

from django.db import transaction

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, MembershipType
from fortresa.core.audit import record_event

SETTINGS_FIELDS = (
    "name",
    "timezone",
    "languages",
    "default_language",
    "currency",
    "contact_email",
    "open_signup",
)


def update_club_settings(
    *, club: Club, actor: User, ip_address: str | None = None, **values: object
) -> list[str]:
    """Change the club's settings (keys of ``SETTINGS_FIELDS``); returns the changed names."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not a club setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Club.objects.select_for_update().get(pk=club.pk)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, values[name])
        locked.full_clean()
        locked.save(update_fields=changed)
        record_event(
            action="club.settings_changed",
            actor=actor,
            club_id=locked.pk,
            target=f"club:{locked.pk}",
            ip_address=ip_address,
            details={"fields": changed},
        )
    for name in changed:
        setattr(club, name, values[name])
    return changed


def create_membership_type(
    *, club: Club, name: str, description: str, actor: User
) -> MembershipType:
    with transaction.atomic():
        membership_type = MembershipType.objects.create(
            club=club, name=name, description=description
        )
        record_event(
            action="club.membership_type_created",
            actor=actor,
            club_id=club.pk,
            target=f"membership_type:{membership_type.pk}",
        )
    return membership_type


def update_membership_type(
    *, membership_type: MembershipType, name: str, description: str, actor: User
) -> MembershipType:
    with transaction.atomic():
        membership_type.name, membership_type.description = name, description
        membership_type.save(update_fields=["name", "description"])
        record_event(
            action="club.membership_type_changed",
            actor=actor,
            club_id=membership_type.club_id,
            target=f"membership_type:{membership_type.pk}",
        )
    return membership_type


def delete_membership_type(*, membership_type: MembershipType, actor: User) -> None:
    """Delete a type; its members keep their membership without a type."""
    with transaction.atomic():
        record_event(
            action="club.membership_type_deleted",
            actor=actor,
            club_id=membership_type.club_id,
            target=f"membership_type:{membership_type.pk}",
            details={"members": membership_type.memberships.count()},
        )
        membership_type.delete()

"""Renewing and switching off a member's private calendar feed."""

from __future__ import annotations

from django.db.models import F

from fortresa.accounts.models import User
from fortresa.core.audit import record_event


def renew_calendar_feed(*, actor: User, ip_address: str | None = None) -> User:
    """Give ``actor`` a new feed URL; every earlier one stops working at once."""
    User.objects.filter(pk=actor.pk).update(calendar_feed_version=F("calendar_feed_version") + 1)
    actor.refresh_from_db(fields=["calendar_feed_version"])
    record_event(
        action="calendar.feed_renewed",
        actor=actor,
        target=f"user:{actor.pk}",
        ip_address=ip_address,
        details={"version": actor.calendar_feed_version},
    )
    return actor


def set_calendar_feed_enabled(*, actor: User, enabled: bool, ip_address: str | None = None) -> User:
    """Turn ``actor``'s feed on or off; while off, its URL answers 404."""
    User.objects.filter(pk=actor.pk).update(calendar_feed_enabled=enabled)
    actor.calendar_feed_enabled = enabled
    record_event(
        action="calendar.feed_enabled" if enabled else "calendar.feed_disabled",
        actor=actor,
        target=f"user:{actor.pk}",
        ip_address=ip_address,
    )
    return actor

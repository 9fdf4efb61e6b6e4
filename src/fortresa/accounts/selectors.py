"""Reads of account data for pages and for the threat-detection work."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from fortresa.accounts.models import Passkey, SecurityEvent, User, UserSession


def live_sessions(user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user, ended_at__isnull=True).order_by("-last_seen_at")


def passkeys_of(user: User) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user).order_by("created_at")


def security_events_of(user: User, *, limit: int = 50) -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.filter(user=user).select_related("actor")[:limit]


def staff_access_events_of(user: User, *, limit: int = 100) -> QuerySet[SecurityEvent]:
    """Each time club staff viewed this member's personal data (their privacy page)."""
    return SecurityEvent.objects.filter(
        user=user, kind=SecurityEvent.Kind.PERSONAL_DATA_VIEWED
    ).select_related("actor")[:limit]


def security_events_since(after_id: int = 0, *, limit: int = 1000) -> QuerySet[SecurityEvent]:
    """Events in the order they were written, for a consumer that remembers the last id."""
    return SecurityEvent.objects.filter(pk__gt=after_id).order_by("id")[:limit]


def security_events_between(start: dt.datetime, end: dt.datetime) -> QuerySet[SecurityEvent]:
    return SecurityEvent.objects.filter(created_at__gte=start, created_at__lt=end).order_by("id")


def contact_details_visible(viewer: User, member: User) -> bool:
    """Members see another member's email and phone only where that member agreed;
    people always see their own."""
    return viewer.pk == member.pk or member.share_contact_details

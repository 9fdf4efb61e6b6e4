"""Courts, their weekly opening hours, and dated closures."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.models import User
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.hours import Period, period_problems
from fortresa.clubs.models import Closure, Club, Court, OpeningHours
from fortresa.core.audit import record_event

COURT_FIELDS = ("name", "sport", "surface", "indoor", "has_lights", "is_active", "position")


def create_court(*, club: Club, actor: User, **values: object) -> Court:
    with transaction.atomic():
        court = Court.objects.create(club=club, **_court_values(values))
        record_event(
            action="club.court_created",
            actor=actor,
            club_id=club.pk,
            target=f"court:{court.pk}",
        )
    return court


def update_court(*, court: Court, actor: User, **values: object) -> Court:
    with transaction.atomic():
        locked = Court.objects.select_for_update().get(pk=court.pk)
        changed = [
            name for name, value in _court_values(values).items() if getattr(locked, name) != value
        ]
        for name in changed:
            setattr(locked, name, values[name])
        if changed:
            locked.save(update_fields=changed)
            record_event(
                action="club.court_changed",
                actor=actor,
                club_id=locked.club_id,
                target=f"court:{locked.pk}",
                details={"fields": changed},
            )
    return locked


def _court_values(values: dict[str, object]) -> dict[str, object]:
    unknown = set(values) - set(COURT_FIELDS)
    if unknown:
        raise TypeError(f"not a court field: {', '.join(sorted(unknown))}")
    return values


def delete_court(*, court: Court, actor: User) -> None:
    """Delete a court that was never booked; a booked court can only be made unbookable."""
    try:
        with transaction.atomic():
            record_event(
                action="club.court_deleted",
                actor=actor,
                club_id=court.club_id,
                target=f"court:{court.pk}",
                details={"name": court.name},
            )
            court.delete()
    except ProtectedError:
        raise ActionRefused(
            _("This court has bookings and cannot be deleted: make it not bookable instead.")
        ) from None


def replace_opening_hours(*, court: Court, periods: list[Period], actor: User) -> None:
    """Make ``periods`` the court's whole weekly schedule."""
    problems = period_problems(periods)
    if problems:
        raise ActionRefused(" ".join(problems))
    with transaction.atomic():
        OpeningHours.objects.filter(court=court).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(court=court, weekday=p.weekday, opens_at=p.opens_at, closes_at=p.closes_at)
            for p in periods
        )
        record_event(
            action="club.opening_hours_changed",
            actor=actor,
            club_id=court.club_id,
            target=f"court:{court.pk}",
            details={"periods": len(periods)},
        )


def copy_opening_hours(*, source: Court, actor: User) -> int:
    """Give every other court of the club ``source``'s weekly hours; returns how many."""
    periods = [
        Period(h.weekday, h.opens_at, h.closes_at)
        for h in OpeningHours.objects.filter(court=source)
    ]
    with transaction.atomic():
        others = list(Court.objects.filter(club_id=source.club_id).exclude(pk=source.pk))
        for court in others:
            replace_opening_hours(court=court, periods=periods, actor=actor)
    return len(others)


def create_closure(
    *,
    club: Club,
    court: Court | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    actor: User,
) -> Closure:
    """Close the whole club (``court`` None) or one court between two aware instants."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("closure times must be timezone-aware")
    if ends_at <= starts_at:
        raise ActionRefused(_("The closure must end after it starts."))
    if court is not None and court.club_id != club.pk:
        raise ActionRefused(_("This court belongs to another club."))
    with transaction.atomic():
        closure = Closure.objects.create(
            club=club, court=court, starts_at=starts_at, ends_at=ends_at, reason=reason
        )
        record_event(
            action="club.closure_created",
            actor=actor,
            club_id=club.pk,
            target=f"closure:{closure.pk}",
        )
    return closure


def delete_closure(*, closure: Closure, actor: User) -> None:
    with transaction.atomic():
        record_event(
            action="club.closure_deleted",
            actor=actor,
            club_id=closure.club_id,
            target=f"closure:{closure.pk}",
        )
        closure.delete()

"""The day and week grids of a club."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from fortresa.bookings.selectors import day_grid, viewer_for, week_grid
from fortresa.bookings.selectors.grids import WEEK_DAYS
from fortresa.bookings.selectors.schedule import schedule_version
from fortresa.clubs.models import Club, Role
from fortresa.clubs.selectors import ClubAccess, access_club

logger = logging.getLogger(__name__)
# The longest a rendered week table is kept; it is only ever served while the schedule's
# version is unchanged and before any of its free slots turns past.
WEEK_TABLE_SECONDS = 300


class _RecentTables:
    """The week tables this process served lately, by cache key, in front of the shared
    cache: a key names its content (the schedule's version is in it) and each table keeps the
    instant it stops being true, so a copy here is exactly as true as the shared one and
    saves its round trip. A few dozen tables at most, the oldest dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._tables: dict[str, tuple[dt.datetime, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: dt.datetime) -> str | None:
        found = self._tables.get(key)
        return found[1] if found is not None and now < found[0] else None

    def put(self, key: str, valid_until: dt.datetime, html: str) -> None:
        with self._lock:
            self._tables.pop(key, None)
            while len(self._tables) >= self.size:
                del self._tables[next(iter(self._tables))]
            self._tables[key] = (valid_until, html)


_recent_tables = _RecentTables(size=32)


def _today(tz: dt.tzinfo) -> dt.date:
    return timezone.now().astimezone(tz).date()


@login_required
@require_GET
def day(request: HttpRequest, slug: str, date: dt.date | None = None) -> HttpResponse:
    access = access_club(request.user, slug)
    viewer = viewer_for(access)
    today = _today(access.club.tzinfo)
    shown = date or today
    return render(
        request,
        "bookings/day.html",
        {
            "club": access.club,
            "grid": day_grid(viewer, shown),
            "day": shown,
            "today": today,
            "previous_day": shown - dt.timedelta(days=1),
            "next_day": shown + dt.timedelta(days=1),
            "is_admin": access.allows(Role.ADMIN),
        },
    )


def _week_table_key(club: Club, first: dt.date, version: str, membership_type: int | None) -> str:
    # Everything the table's HTML depends on: the schedule (its version), the member's
    # rules (the club's, and their membership type's overrides, both in the version),
    # the club's address and time zone and the page's language.
    parts = (club.pk, club.slug, club.timezone, first.isoformat(), translation.get_language(),
             version, membership_type)  # fmt: skip
    return "bookings:week-table:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def week_table(access: ClubAccess, first: dt.date, now: dt.datetime | None = None) -> SafeString:
    """The week's table of free courts, rendered, from the cache while still true.

    Nothing in it is the member's own (the week grid counts courts, it does not say whose
    bookings they are), so members under the same rules share one rendering; the rules
    are read only to build a table, the schedule's version covering them otherwise.
    """
    club = access.club
    now = now or timezone.now()
    membership_type = access.membership.membership_type_id if access.membership else None
    version = schedule_version(club)
    key = None if version is None else _week_table_key(club, first, version, membership_type)
    if key is not None:
        recent = _recent_tables.get(key, now)
        if recent is not None:
            return mark_safe(recent)  # noqa: S308 - HTML this function rendered
        try:
            found = cache.get(key)
        except Exception:  # noqa: BLE001 - without the cache the table is built anew
            logger.warning("week table cache unreadable", exc_info=True)
            key = None
        else:
            if found is not None and now < found[0]:
                _recent_tables.put(key, found[0], str(found[1]))
                return mark_safe(str(found[1]))  # noqa: S308 - HTML this function rendered
    # A change committed from here on is in the table but not in its version: the table
    # is then newer than its key says, and the next version misses it anyway.
    viewer = viewer_for(access, now=now)
    grid = week_grid(viewer, first)
    html = render_to_string("bookings/_week_table.html", {"club": club, "grid": grid})
    if key is not None:
        latest = now + dt.timedelta(seconds=WEEK_TABLE_SECONDS)
        valid_until = min(grid.changes_at, latest) if grid.changes_at else latest
        seconds = int((valid_until - now).total_seconds())
        if seconds >= 1:
            _recent_tables.put(key, valid_until, str(html))
            try:
                cache.set(key, (valid_until, str(html)), timeout=seconds)
            except Exception:  # noqa: BLE001 - a page served is worth more than a cache entry
                logger.warning("week table cache unwritable", exc_info=True)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


@login_required
@require_GET
def week(request: HttpRequest, slug: str, date: dt.date | None = None) -> HttpResponse:
    access = access_club(request.user, slug)
    today = _today(access.club.tzinfo)
    first = date or today
    return render(
        request,
        "bookings/week.html",
        {
            "club": access.club,
            "week_table": week_table(access, first),
            "first_day": first,
            "last_day": first + dt.timedelta(days=WEEK_DAYS - 1),
            "today": today,
            "previous_week": first - dt.timedelta(days=7),
            "next_week": first + dt.timedelta(days=7),
        },
    )

"""The day and week grids of a club."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fortresa.bookings.selectors import day_grid, viewer_for, week_grid
from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club


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


@login_required
@require_GET
def week(request: HttpRequest, slug: str, date: dt.date | None = None) -> HttpResponse:
    access = access_club(request.user, slug)
    viewer = viewer_for(access)
    today = _today(access.club.tzinfo)
    first = date or today
    grid = week_grid(viewer, first)
    return render(
        request,
        "bookings/week.html",
        {
            "club": access.club,
            "grid": grid,
            "first_day": first,
            "last_day": grid.days[-1],
            "today": today,
            "previous_week": first - dt.timedelta(days=7),
            "next_week": first + dt.timedelta(days=7),
        },
    )

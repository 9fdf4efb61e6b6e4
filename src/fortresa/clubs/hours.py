"""Rules for a court's weekly opening periods, shared by the form and the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.utils.translation import gettext as _

from fortresa.clubs.models import OpeningHours


class Period(NamedTuple):
    weekday: int
    opens_at: dt.time
    closes_at: dt.time


def weekday_name(weekday: int) -> str:
    choices = dict(OpeningHours._meta.get_field("weekday").choices or [])
    return str(choices.get(weekday, weekday))


def period_problems(periods: Iterable[Period]) -> list[str]:
    """Messages for every period that closes before it opens or overlaps another."""
    problems: list[str] = []
    by_day: dict[int, list[Period]] = {}
    for period in periods:
        if not 0 <= period.weekday <= 6:
            problems.append(_("A weekday must be between Monday and Sunday."))
        elif period.closes_at <= period.opens_at:
            problems.append(
                _("%(day)s: closing time %(closes)s must be after opening time %(opens)s.")
                % {
                    "day": weekday_name(period.weekday),
                    "opens": f"{period.opens_at:%H:%M}",
                    "closes": f"{period.closes_at:%H:%M}",
                }
            )
        else:
            by_day.setdefault(period.weekday, []).append(period)
    for weekday, day_periods in sorted(by_day.items()):
        day_periods.sort(key=lambda p: p.opens_at)
        for earlier, later in zip(day_periods, day_periods[1:], strict=False):
            if later.opens_at < earlier.closes_at:
                problems.append(
                    _("%(day)s: %(first)s overlaps %(second)s.")
                    % {
                        "day": weekday_name(weekday),
                        "first": f"{earlier.opens_at:%H:%M}–{earlier.closes_at:%H:%M}",
                        "second": f"{later.opens_at:%H:%M}–{later.closes_at:%H:%M}",
                    }
                )
    return problems

"""Uptime over a window of UTC days, computed from the daily counts.

A run that found a component in partial outage counts as half down, one in major outage
as fully down; degraded performance counts as up. Days without any run have no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fortresa.status.components import ComponentStatus
from fortresa.status.models import DailyUptime

WINDOW_DAYS = 90


@dataclass(frozen=True)
class UptimeDay:
    day: date
    runs: int
    down: float
    worst: ComponentStatus | None

    @property
    def ratio(self) -> float | None:
        return None if self.runs == 0 else 1 - self.down / self.runs

    @property
    def percent(self) -> float | None:
        ratio = self.ratio
        return None if ratio is None else round(100 * ratio, 2)


@dataclass(frozen=True)
class UptimeHistory:
    component: str
    days: list[UptimeDay]

    @property
    def percent(self) -> float | None:
        runs = sum(day.runs for day in self.days)
        if runs == 0:
            return None
        return round(100 * (1 - sum(day.down for day in self.days) / runs), 2)


def _day_from(row: DailyUptime | None, day: date) -> UptimeDay:
    if row is None:
        return UptimeDay(day, 0, 0.0, None)
    runs = row.operational + row.degraded + row.partial_outage + row.major_outage
    worst: ComponentStatus | None = None
    for status in (
        ComponentStatus.MAJOR_OUTAGE,
        ComponentStatus.PARTIAL_OUTAGE,
        ComponentStatus.DEGRADED,
        ComponentStatus.OPERATIONAL,
    ):
        if getattr(row, status.value):
            worst = status
            break
    return UptimeDay(day, runs, row.major_outage + row.partial_outage / 2, worst)


def uptime_histories(
    components: list[str], *, now: datetime, days: int = WINDOW_DAYS
) -> dict[str, UptimeHistory]:
    """The last ``days`` UTC days up to and including the day of ``now``, oldest first."""
    last = now.astimezone(UTC).date()
    first = last - timedelta(days=days - 1)
    rows = {
        (row.component, row.day): row
        for row in DailyUptime.objects.filter(
            component__in=components, day__gte=first, day__lte=last
        )
    }
    calendar = [first + timedelta(days=offset) for offset in range(days)]
    return {
        component: UptimeHistory(
            component, [_day_from(rows.get((component, day)), day) for day in calendar]
        )
        for component in components
    }

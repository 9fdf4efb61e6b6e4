"""Uptime figures computed from daily counts, over a clock moved by explicit ``now`` values."""

from __future__ import annotations

import datetime as dt

import pytest

from fortresa.status.components import ComponentStatus
from fortresa.status.services.monitoring import count_uptime_sample
from fortresa.status.uptime import uptime_histories

UTC = dt.UTC


def _samples(status: ComponentStatus, at: dt.datetime, count: int) -> None:
    for _ in range(count):
        count_uptime_sample(component="web", status=status, at=at)


@pytest.mark.smoke
@pytest.mark.django_db
def test_runs_either_side_of_utc_midnight_count_on_their_own_days() -> None:
    _samples(ComponentStatus.OPERATIONAL, dt.datetime(2026, 3, 9, 23, 59, 50, tzinfo=UTC), 3)
    paris = dt.timezone(dt.timedelta(hours=1))
    # 00:30 in Paris on the 10th is still the 9th in UTC.
    _samples(ComponentStatus.MAJOR_OUTAGE, dt.datetime(2026, 3, 10, 0, 30, tzinfo=paris), 1)
    _samples(ComponentStatus.MAJOR_OUTAGE, dt.datetime(2026, 3, 10, 0, 0, 10, tzinfo=UTC), 4)

    days = uptime_histories(["web"], now=dt.datetime(2026, 3, 10, 12, tzinfo=UTC))["web"].days

    assert (days[-2].day, days[-2].percent) == (dt.date(2026, 3, 9), 75.0)
    assert (days[-1].day, days[-1].percent) == (dt.date(2026, 3, 10), 0.0)


@pytest.mark.smoke
@pytest.mark.django_db
def test_partial_outage_counts_half_and_degraded_counts_as_up() -> None:
    at = dt.datetime(2026, 3, 10, 8, tzinfo=UTC)
    _samples(ComponentStatus.OPERATIONAL, at, 2)
    _samples(ComponentStatus.DEGRADED, at, 1)
    _samples(ComponentStatus.PARTIAL_OUTAGE, at, 1)

    history = uptime_histories(["web"], now=at)["web"]

    assert history.percent == 87.5
    assert history.days[-1].worst == ComponentStatus.PARTIAL_OUTAGE


@pytest.mark.smoke
@pytest.mark.django_db
def test_window_keeps_ninety_days_and_drops_older_ones_as_the_clock_moves() -> None:
    start = dt.datetime(2026, 1, 1, 12, tzinfo=UTC)
    _samples(ComponentStatus.MAJOR_OUTAGE, start, 1)
    _samples(ComponentStatus.OPERATIONAL, start + dt.timedelta(days=1), 1)

    inside = uptime_histories(["web"], now=start + dt.timedelta(days=89))["web"]
    later = uptime_histories(["web"], now=start + dt.timedelta(days=90))["web"]

    assert len(inside.days) == len(later.days) == 90
    assert inside.days[0].day == dt.date(2026, 1, 1)
    assert inside.percent == 50.0
    assert later.days[0].day == dt.date(2026, 1, 2)
    assert later.percent == 100.0


@pytest.mark.smoke
@pytest.mark.django_db
def test_days_without_runs_have_no_figure() -> None:
    history = uptime_histories(["web"], now=dt.datetime(2026, 3, 10, tzinfo=UTC))["web"]

    assert history.percent is None
    assert all(day.percent is None for day in history.days)

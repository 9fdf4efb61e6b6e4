"""Time slots on a local calendar day, correct across daylight-saving changes.

Opening hours are local wall-clock times. A period's first and last instants are
resolved to UTC once, and slots are then stepped in UTC: on the spring-forward day the
nonexistent hour simply never appears, and on the fall-back day the repeated hour gives
two slots told apart by ``fold`` (and by the zone abbreviation in their label).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
MAX_ISO_LENGTH = 40


@dataclass(frozen=True)
class Slot:
    """One bookable step of an opening period; instants are aware UTC."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    period_ends_at: dt.datetime
    local_start: dt.datetime

    @property
    def label(self) -> str:
        return time_label(self.local_start)


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of local wall-clock ``at`` on ``day`` (first occurrence if repeated)."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def is_ambiguous(local: dt.datetime) -> bool:
    """True when ``local``'s wall-clock time happens twice that day (the fall-back hour)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def time_label(local: dt.datetime) -> str:
    """``HH:MM``, with the zone abbreviation when that wall-clock time happens twice."""
    label = local.strftime("%H:%M")
    return f"{label} {local.tzname()}" if is_ambiguous(local) else label


def period_slots(
    day: dt.date, opens_at: dt.time, closes_at: dt.time, tz: ZoneInfo, slot_minutes: int
) -> Iterator[Slot]:
    start = local_instant(day, opens_at, tz)
    end = local_instant(day, closes_at, tz)
    step = dt.timedelta(minutes=slot_minutes)
    at = start
    while at + step <= end:
        yield Slot(
            starts_at=at, ends_at=at + step, period_ends_at=end, local_start=at.astimezone(tz)
        )
        at += step


def day_slots(
    day: dt.date,
    periods: Iterable[tuple[dt.time, dt.time]],
    tz: ZoneInfo,
    slot_minutes: int,
) -> list[Slot]:
    """Every slot of ``day`` for a court open during ``periods`` (local times), in order."""
    slots = [
        slot
        for opens_at, closes_at in periods
        for slot in period_slots(day, opens_at, closes_at, tz, slot_minutes)
    ]
    return sorted(slots, key=lambda slot: slot.starts_at)


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which local ``day`` starts and the next local day starts."""
    return (
        local_instant(day, dt.time(0), tz),
        local_instant(day + dt.timedelta(days=1), dt.time(0), tz),
    )


def parse_local_start(value: str, tz: ZoneInfo) -> dt.datetime | None:
    """Read an ISO datetime from a URL or form; a naive one is local time in ``tz``.

    Returns the aware local datetime, or None when ``value`` is not a datetime.
    """
    if not value or len(value) > MAX_ISO_LENGTH:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(tz)
    except (OverflowError, ValueError):
        return None


def start_param(local: dt.datetime) -> str:
    """How a slot start travels in a URL: local time with its offset, so it is unambiguous."""
    return local.isoformat(timespec="minutes")
